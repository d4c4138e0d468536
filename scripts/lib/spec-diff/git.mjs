// The few git questions spec-diff asks, answered by the git CLI in the target repository.
import { execFile } from "node:child_process";

/** Thrown when git itself cannot be run, as opposed to a git command failing. */
export class GitMissingError extends Error {}

/** Runs git in `repo`; resolves to { ok, stdout, stderr } and never rejects on a non-zero exit. */
export function git(repo, args, { encoding = "utf8" } = {}) {
  return new Promise((resolve, reject) => {
    execFile("git", args, { cwd: repo, encoding, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err?.code === "ENOENT") reject(new GitMissingError("git is not installed or not on PATH; the spec gate needs it to read the release it compares against."));
      else resolve({ ok: !err, stdout, stderr: String(stderr).trim() });
    });
  });
}

/** Where `repo` stands: not a repository, a repository without commits, shallow, or complete. */
export async function repoState(repo) {
  const inside = await git(repo, ["rev-parse", "--is-inside-work-tree"]);
  if (!inside.ok || inside.stdout.trim() !== "true") return "not-a-repo";
  if (!(await git(repo, ["rev-parse", "--verify", "--quiet", "HEAD"])).ok) return "no-commits";
  const shallow = await git(repo, ["rev-parse", "--is-shallow-repository"]);
  return shallow.stdout.trim() === "true" ? "shallow" : "complete";
}

/** The newest release tag reachable from HEAD, else the first commit: what the gate compares with. */
export async function releaseBase(repo) {
  const tag = await git(repo, ["describe", "--tags", "--abbrev=0", "--match", "v*"]);
  if (tag.ok && tag.stdout.trim()) return { ref: tag.stdout.trim(), why: "last release tag" };
  const roots = await git(repo, ["rev-list", "--max-parents=0", "HEAD"]);
  // A history that merged unrelated roots lists several; the oldest is listed last.
  const root = roots.stdout.trim().split("\n").at(-1);
  return { ref: root.slice(0, 12), why: "no v* release tag; first commit" };
}

/** The commit `ref` names, or undefined when it names none. */
export async function resolveCommit(repo, ref) {
  const res = await git(repo, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  return res.ok ? res.stdout.trim() : undefined;
}

/** The content of `path` at `ref`, or undefined when the file does not exist there. */
export async function showFile(repo, ref, path) {
  // "./" makes the path relative to `repo` rather than to the top of the repository.
  const res = await git(repo, ["show", `${ref}:./${path}`], { encoding: "buffer" });
  return res.ok ? res.stdout : undefined;
}

/** The files under `dir` at `ref`, as repository-relative paths. */
export async function listFiles(repo, ref, dir) {
  const res = await git(repo, ["ls-tree", "-r", "--name-only", ref, "--", dir]);
  return res.ok ? res.stdout.split("\n").filter(Boolean) : [];
}
