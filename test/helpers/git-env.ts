// The environment git runs in for tests that build throwaway repositories: it reads no user or
// system configuration, so hooks, signing or a missing identity on the machine running the tests
// cannot change what happens.
export const GIT_TEST_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Gate Test",
  GIT_AUTHOR_EMAIL: "gate@example.invalid",
  GIT_COMMITTER_NAME: "Gate Test",
  GIT_COMMITTER_EMAIL: "gate@example.invalid",
};
