// list(): lazy offset/limit walking, stop conditions and cancellation.
import { describe, expect, it, vi } from "vitest";
import { AbortError, Propexo } from "../../src/index.js";

type Meta = { offset?: number; limit?: number; hasMore?: boolean | null; total?: number };

function server(pages: (offset: number, limit: number) => { results: unknown[]; meta: Meta }) {
  const offsets: number[] = [];
  const fetch = vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    const offset = Number(url.searchParams.get("offset") ?? 0);
    const limit = Number(url.searchParams.get("limit") ?? 100);
    offsets.push(offset);
    const { results, meta } = pages(offset, limit);
    return new Response(JSON.stringify({ meta: { orderBy: [], ...meta }, results }));
  });
  return { propexo: new Propexo({ token: "tok_abcdef", fetch, rateLimit: false, logLevel: "off" }), fetch, offsets };
}

const items = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: `e${from + i}` }));

describe("list()", () => {
  it("sends nothing until iterated", async () => {
    const { propexo, fetch } = server(() => ({ results: [], meta: { hasMore: false } }));
    propexo.appointments.list({ integration_id: "i" });
    await new Promise((r) => setTimeout(r, 5));
    expect(fetch).not.toHaveBeenCalled();
  });

  it("walks every page by offset while hasMore is true", async () => {
    const total = 7;
    const { propexo, offsets } = server((offset, limit) => {
      const results = items(offset, Math.max(0, Math.min(limit, total - offset)));
      return { results, meta: { offset, limit, hasMore: offset + results.length < total, total } };
    });
    const seen: string[] = [];
    for await (const e of propexo.appointments.list({ limit: 3 })) seen.push((e as { id: string }).id);
    expect(seen).toEqual(items(0, 7).map((e) => e.id));
    expect(offsets).toEqual([0, 3, 6]);
  });

  it("uses total when hasMore is null", async () => {
    const { propexo, offsets } = server((offset) => ({ results: items(offset, offset < 4 ? 2 : 0), meta: { hasMore: null, total: 4 } }));
    const seen = [];
    for await (const e of propexo.appointments.list({ limit: 2 })) seen.push(e);
    expect(seen).toHaveLength(4);
    expect(offsets).toEqual([0, 2]);
  });

  it("stops on an empty page even when the server claims more", async () => {
    const { propexo, offsets } = server((offset) => ({ results: offset < 2 ? items(offset, 2) : [], meta: { hasMore: true } }));
    const seen = [];
    for await (const e of propexo.appointments.list({ limit: 2 })) seen.push(e);
    expect(seen).toHaveLength(2);
    expect(offsets).toEqual([0, 2]);
  });

  it("stops on a short page when neither hasMore nor total is sent", async () => {
    const { propexo, offsets } = server((offset) => ({ results: items(offset, offset === 0 ? 2 : 1), meta: {} }));
    const seen = [];
    for await (const e of propexo.appointments.list({ limit: 2 })) seen.push(e);
    expect(seen).toHaveLength(3);
    expect(offsets).toEqual([0, 2]);
  });

  it("fetches pages lazily: breaking out early sends no further request", async () => {
    const { propexo, fetch } = server((offset) => ({ results: items(offset, 2), meta: { hasMore: true } }));
    for await (const e of propexo.appointments.list({ limit: 2 })) {
      expect(e).toBeDefined();
      break;
    }
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("firstPage() gives one page with its meta and response", async () => {
    const { propexo, fetch } = server((offset) => ({ results: items(offset, 2), meta: { offset, limit: 2, hasMore: true, total: 10 } }));
    const page = await propexo.appointments.list({ limit: 2 }).firstPage();
    expect(page.results).toHaveLength(2);
    expect(page.meta).toMatchObject({ total: 10, hasMore: true });
    expect(page.hasMore).toBe(true);
    expect(page.response.status).toBe(200);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("starts at the caller's offset", async () => {
    const { propexo, offsets } = server((offset) => ({ results: offset < 10 ? items(offset, 5) : [], meta: {} }));
    const seen = [];
    for await (const e of propexo.appointments.list({ offset: 5, limit: 5 })) seen.push(e);
    expect(seen).toHaveLength(5);
    expect(offsets).toEqual([5, 10]);
  });

  it("can be cancelled between pages", async () => {
    const controller = new AbortController();
    const { propexo, fetch } = server((offset) => ({ results: items(offset, 1), meta: { hasMore: true } }));
    const walk = (async () => {
      for await (const _ of propexo.appointments.list({ limit: 1 }, { signal: controller.signal })) {
        if (fetch.mock.calls.length === 2) controller.abort();
      }
    })();
    await expect(walk).rejects.toBeInstanceOf(AbortError);
    expect(fetch).toHaveBeenCalledTimes(2);
  });
});
