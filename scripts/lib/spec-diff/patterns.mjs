// Whether one `pattern` admits every string another admits, decided on finite automata built by
// refa (the library behind eslint-plugin-regexp) rather than by comparing the two texts. A
// pattern constrains by search, as RegExp#test does with the "u" flag the client compiles it
// with: `^[a-z]+$` admits exactly the lowercase words, `[a-z]` every string with a lowercase
// letter somewhere. Only a proof counts: anything the automata cannot express (lookarounds, word
// boundaries, anchors not at the ends, backreferences to unbounded groups) or that grows too
// large is "unknown", and callers treat unknown as a narrowing.
import { DFA, JS, NFA, TooManyNodesError, isDisjointWith } from "refa";

// Enough for the patterns specs use (dates, identifiers, codes); a pathological pair gives up
// here, in milliseconds, instead of exhausting memory.
const MAX_NODES = 20_000;
const ANY = "[\\s\\S]*";

/**
 * The regular expression that matches a whole string exactly when `pattern` finds a match in
 * it: each top-level alternative gets `[\s\S]*` on the sides it is not anchored at, and the
 * anchors themselves go. Throws when the pattern is not valid with the "u" flag.
 */
export function wholeStringSource(pattern) {
  const { ast } = JS.Parser.fromLiteral({ source: pattern, flags: "u" });
  return ast.pattern.alternatives
    .map((alternative) => {
      const elements = [...alternative.elements];
      let [from, to, before, after] = [alternative.start, alternative.end, ANY, ANY];
      while (elements[0]?.type === "Assertion" && elements[0].kind === "start") {
        from = elements.shift().end;
        before = "";
      }
      while (elements.at(-1)?.type === "Assertion" && elements.at(-1).kind === "end") {
        to = elements.pop().start;
        after = "";
      }
      return `${before}(?:${pattern.slice(from, to)})${after}`;
    })
    .join("|");
}

function automaton(pattern) {
  const source = pattern === undefined ? ANY : wholeStringSource(pattern);
  const { expression, maxCharacter } = JS.Parser.fromLiteral({ source, flags: "u" }).parse({
    assertions: "throw",
    backreferences: "throw",
    maxNodes: MAX_NODES,
  });
  return NFA.fromRegex(expression, { maxCharacter }, { assertions: "throw" }, new NFA.LimitedNodeFactory(MAX_NODES));
}

/** Whether every string `a` admits, `b` admits too: L(a) ∩ ¬L(b) = ∅. */
function within(a, b) {
  const complement = DFA.fromFA(b, new DFA.LimitedNodeFactory(MAX_NODES));
  complement.complement();
  return isDisjointWith(a, complement, MAX_NODES);
}

/**
 * How the strings admitted by pattern `next` relate to those admitted by `prev` (undefined: no
 * pattern, every string): "same", "wider", "narrower", "other" (neither contains the other), or
 * "unknown" when that cannot be proved.
 */
export function comparePatterns(prev, next) {
  try {
    const [a, b] = [automaton(prev), automaton(next)];
    const grows = within(a, b);
    const shrinks = within(b, a);
    return grows && shrinks ? "same" : grows ? "wider" : shrinks ? "narrower" : "other";
  } catch (err) {
    // A pattern JavaScript cannot compile, a construct automata cannot express, or a pair too
    // large to decide: no proof either way.
    if (err instanceof SyntaxError || err instanceof TooManyNodesError || /not supported/i.test(String(err?.message))) return "unknown";
    throw err;
  }
}
