import { describe, expect, it } from "vitest";

import { AppError } from "@/lib/errors";
import { fetchAllPages, type Page, type PageRequest } from "@/lib/pagerduty/paginate";

interface FakeListOptions {
  /** Largest page the server hands out whatever `limit` asks (PagerDuty caps some lists). */
  serverMax?: number;
  /** Whether the server honours `total=true`. */
  totals?: boolean;
  /** Leave `more` out of every page (optional in PagerDuty's OpenAPI; some lists never send it). */
  omitMore?: boolean;
  /** Echo the limit the server applied, as PagerDuty does (`limit` in each page). */
  echoLimit?: boolean;
  /** Rewrite a page before it is returned, to simulate inconsistencies. */
  tamper?: (request: PageRequest, page: Page<number>, call: number) => Page<number>;
}

/** A list of `count` numbered records served with PagerDuty's offset semantics. */
function fakeList(initial: number, options: FakeListOptions = {}) {
  let records = Array.from({ length: initial }, (_, i) => i);
  const requests: PageRequest[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const fetchPage = async (request: PageRequest): Promise<Page<number>> => {
    requests.push(request);
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    await Promise.resolve();
    inFlight--;
    const size = Math.min(request.limit, options.serverMax ?? Infinity);
    const items = records.slice(request.offset, request.offset + size);
    const page: Page<number> = {
      items,
      more: options.omitMore ? null : request.offset + items.length < records.length,
      total: request.total && options.totals !== false ? records.length : null,
      limit: options.echoLimit ? size : null,
    };
    return options.tamper ? options.tamper(request, page, requests.length) : page;
  };
  return {
    fetchPage,
    requests,
    mostInFlight: () => mostInFlight,
    setRecords: (next: number[]) => {
      records = next;
    },
  };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("fetchAllPages", () => {
  it.each([
    { count: 0, totals: true, requests: 1 },
    { count: 1, totals: true, requests: 1 },
    { count: 99, totals: true, requests: 1 },
    { count: 100, totals: true, requests: 1 },
    { count: 101, totals: true, requests: 2 },
    { count: 250, totals: true, requests: 3 },
    { count: 250, totals: false, requests: 3 },
    { count: 1_000, totals: false, requests: 10 },
    { count: 10_000, totals: true, requests: 100 },
  ])("reads $count records in $requests requests (totals: $totals)", async ({ count, totals, requests }) => {
    const list = fakeList(count, { totals });
    await expect(fetchAllPages(list.fetchPage, { what: "GET /users" })).resolves.toEqual(range(count));
    expect(list.requests).toHaveLength(requests);
    expect(list.requests.every((r) => r.limit === 100)).toBe(true);
  });

  it("fetches the pages after the first concurrently when the total is known", async () => {
    const list = fakeList(450);
    await fetchAllPages(list.fetchPage, { what: "GET /users" });
    expect(list.requests.map((r) => r.offset)).toEqual([0, 100, 200, 300, 400]);
    expect(list.mostInFlight()).toBe(4);
  });

  it("reads one page after the other when the total is unknown", async () => {
    const list = fakeList(450, { totals: false });
    await fetchAllPages(list.fetchPage, { what: "GET /users" });
    expect(list.mostInFlight()).toBe(1);
    expect(list.requests.slice(1).every((r) => !r.total)).toBe(true);
  });

  it("steps by the items received when the server hands out smaller pages than asked", async () => {
    const list = fakeList(120, { serverMax: 25 });
    await expect(fetchAllPages(list.fetchPage, { what: "GET /users" })).resolves.toEqual(range(120));
    expect(list.requests.map((r) => r.offset)).toEqual([0, 25, 50, 75, 100]);
  });

  it("asks once more after a full last page that says more: true", async () => {
    const list = fakeList(100, {
      tamper: (request, page) => (request.offset === 0 ? { ...page, more: true, total: null } : page),
    });
    await expect(fetchAllPages(list.fetchPage, { what: "GET /users" })).resolves.toEqual(range(100));
    expect(list.requests.map((r) => r.offset)).toEqual([0, 100]);
  });

  it("falls back to sequential reading from a short page that claims more", async () => {
    // The page at offset 200 comes back short (the list shifted), yet says more: true.
    const list = fakeList(500, {
      tamper: (request, page, call) =>
        request.offset === 200 && call <= 5 ? { ...page, items: page.items.slice(0, 60), more: true } : page,
    });
    await expect(fetchAllPages(list.fetchPage, { what: "GET /users" })).resolves.toEqual(range(500));
    // Concurrent 100..400, then sequential again from 200.
    expect(list.requests.map((r) => r.offset)).toEqual([0, 100, 200, 300, 400, 200, 300, 400]);
  });

  it("falls back to sequential reading when the total changes between pages", async () => {
    const list = fakeList(300);
    const original = list.fetchPage;
    let grown = false;
    const fetchPage = async (request: PageRequest) => {
      if (request.offset === 100 && !grown) {
        grown = true;
        list.setRecords(range(330));
      }
      return original(request);
    };
    await expect(fetchAllPages(fetchPage, { what: "GET /users" })).resolves.toEqual(range(330));
    expect(list.requests.map((r) => r.offset)).toEqual([0, 100, 200, 100, 200, 300]);
  });

  it("refuses an empty page that claims more", async () => {
    const list = fakeList(0, { tamper: (_request, page) => ({ ...page, more: true }) });
    const error = await fetchAllPages(list.fetchPage, { what: "GET /users" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("upstream:pagerduty");
    expect((error as AppError).message).toContain("GET /users");
  });

  it.each([
    { count: 10_001, totals: true, requests: 1 },
    { count: 10_001, totals: false, requests: 100 },
    { count: 25_000, totals: true, requests: 1 },
  ])(
    "refuses to read past PagerDuty's 10,000-record cap ($count records, totals: $totals)",
    async ({ count, totals, requests }) => {
      const list = fakeList(count, { totals });
      const error = await fetchAllPages(list.fetchPage, { what: "GET /users" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("invalid:pagerduty");
      expect((error as AppError).message).toContain("10,000");
      expect(list.requests).toHaveLength(requests);
      expect(list.requests.every((r) => r.offset + r.limit <= 10_000)).toBe(true);
    },
  );

  it.each([
    { count: 12_000, readTo: 10_000, requests: 100, received: 10_000 },
    { count: 12_000, readTo: 100, requests: 1, received: 100 },
    { count: 12_000, readTo: 0, requests: 1, received: 100 },
    { count: 25_000, readTo: 5_050, requests: 51, received: 5_100 },
    { count: 12_000, readTo: 50_000, requests: 100, received: 10_000 },
  ])(
    "past the cap, reads the first records `whenCapped` asks for ($readTo of $count) instead of refusing",
    async ({ count, readTo, requests, received }) => {
      const list = fakeList(count);
      const totals: number[] = [];
      const progress: number[] = [];
      const items = await fetchAllPages(list.fetchPage, {
        what: "GET /users",
        whenCapped: (total) => {
          totals.push(total);
          return readTo;
        },
        onPage: (done, total) => progress.push(total),
      });
      expect(totals).toEqual([count]);
      expect(items).toEqual(range(received));
      expect(list.requests).toHaveLength(requests);
      expect(list.requests.every((r) => r.offset + r.limit <= 10_000)).toBe(true);
      // Progress counts towards what will be read, not the account's total.
      expect(new Set(progress)).toEqual(new Set([received]));
    },
  );

  it("asks `whenCapped` nothing for a list within the cap, and still refuses one whose total is unknown", async () => {
    const within = fakeList(10_000);
    const asked: number[] = [];
    const whenCapped = (total: number) => {
      asked.push(total);
      return 100;
    };
    expect(await fetchAllPages(within.fetchPage, { what: "GET /users", whenCapped })).toHaveLength(10_000);
    const unknown = fakeList(10_001, { totals: false });
    const error = await fetchAllPages(unknown.fetchPage, { what: "GET /users", whenCapped }).catch(
      (e: unknown) => e,
    );
    expect((error as AppError).code).toBe("invalid:pagerduty");
    expect(asked).toEqual([]);
  });

  it("fails the whole list when a concurrent page fails", async () => {
    const list = fakeList(300);
    const fetchPage = async (request: PageRequest) => {
      if (request.offset === 200) throw new AppError("upstream:pagerduty", "page 3 failed");
      return list.fetchPage(request);
    };
    await expect(fetchAllPages(fetchPage, { what: "GET /users" })).rejects.toThrow("page 3 failed");
  });

  describe("pages asked ahead of the first page's total", () => {
    /** The requests sent before any answer came back: the first round. */
    function firstRound(list: ReturnType<typeof fakeList>) {
      let round: number | null = null;
      const fetchPage = (request: PageRequest) => {
        const page = list.fetchPage(request);
        // Counted when the first answer is in: everything sent before it went out in one round.
        void page.then(() => (round ??= list.requests.length));
        return page;
      };
      return { fetchPage, round: () => round };
    }

    it("sends them with the first page and uses them instead of asking again", async () => {
      const list = fakeList(950);
      const probe = firstRound(list);
      await expect(fetchAllPages(probe.fetchPage, { what: "GET /users", pagesAhead: 3 })).resolves.toEqual(
        range(950),
      );
      expect(list.requests.slice(0, 4).map((r) => r.offset)).toEqual([0, 100, 200, 300]);
      expect(probe.round()).toBe(4);
      // Each page once: 10 pages for 950 records, as without pages ahead.
      expect(list.requests.map((r) => r.offset)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    });

    it.each([
      { count: 0, requests: 4 },
      { count: 150, requests: 4 },
      { count: 300, requests: 4 },
      { count: 301, requests: 4 },
      { count: 401, requests: 5 },
    ])("costs a short list its empty pages, nothing else ($count records)", async ({ count, requests }) => {
      const list = fakeList(count);
      await expect(fetchAllPages(list.fetchPage, { what: "GET /users", pagesAhead: 3 })).resolves.toEqual(
        range(count),
      );
      expect(list.requests).toHaveLength(requests);
    });

    it("uses only those at the offsets it reads when the server hands out smaller pages than asked", async () => {
      const list = fakeList(120, { serverMax: 25 });
      await expect(fetchAllPages(list.fetchPage, { what: "GET /users", pagesAhead: 2 })).resolves.toEqual(
        range(120),
      );
      // Steps of 25: the page asked ahead at 100 is read there; the one at 200 is past the end.
      expect(list.requests.map((r) => r.offset)).toEqual([0, 100, 200, 25, 50, 75]);
    });

    it("uses them in order when the server gives no total", async () => {
      const list = fakeList(450, { totals: false });
      await expect(fetchAllPages(list.fetchPage, { what: "GET /users", pagesAhead: 2 })).resolves.toEqual(
        range(450),
      );
      expect(list.requests.map((r) => r.offset)).toEqual([0, 100, 200, 300, 400]);
    });

    it("asks none past PagerDuty's cap; a capped list read only in part pays the ones it does not read", async () => {
      const list = fakeList(12_000);
      const items = await fetchAllPages(list.fetchPage, {
        what: "GET /users",
        limit: 2_500,
        pagesAhead: 6,
        whenCapped: () => 0,
      });
      expect(items).toEqual(range(2_500));
      expect(list.requests.map((r) => r.offset)).toEqual([0, 2_500, 5_000, 7_500]);
    });

    it("leaves nothing in flight when it returns, and ignores a failure of a page it did not need", async () => {
      const list = fakeList(150);
      let inFlight = 0;
      const fetchPage = async (request: PageRequest) => {
        inFlight++;
        try {
          await new Promise((resolve) => setTimeout(resolve, request.offset === 300 ? 20 : 1));
          if (request.offset === 300) throw new AppError("upstream:pagerduty", "past the end, and failed");
          return await list.fetchPage(request);
        } finally {
          inFlight--;
        }
      };
      await expect(fetchAllPages(fetchPage, { what: "GET /users", pagesAhead: 3 })).resolves.toEqual(
        range(150),
      );
      expect(inFlight).toBe(0);
    });

    it("fails the list when a page it needs failed", async () => {
      const list = fakeList(450);
      const fetchPage = async (request: PageRequest) => {
        if (request.offset === 200) throw new AppError("upstream:pagerduty", "page 3 failed");
        return list.fetchPage(request);
      };
      await expect(fetchAllPages(fetchPage, { what: "GET /users", pagesAhead: 3 })).rejects.toThrow(
        "page 3 failed",
      );
    });
  });

  describe("pages without `more`", () => {
    it.each([
      { count: 0, totals: false, requests: 1 },
      { count: 99, totals: false, requests: 1 },
      // A full last page cannot tell; the next, empty one does.
      { count: 100, totals: false, requests: 2 },
      { count: 250, totals: false, requests: 3 },
      { count: 300, totals: false, requests: 4 },
      { count: 100, totals: true, requests: 1 },
      { count: 250, totals: true, requests: 3 },
      { count: 300, totals: true, requests: 3 },
    ])(
      "reads $count records in $requests requests, stopping at a short page or the total (totals: $totals)",
      async ({ count, totals, requests }) => {
        const list = fakeList(count, { totals, omitMore: true });
        await expect(fetchAllPages(list.fetchPage, { what: "GET /v3/schedules" })).resolves.toEqual(
          range(count),
        );
        expect(list.requests).toHaveLength(requests);
      },
    );

    it("goes by the limit the server echoes when it hands out smaller pages than asked", async () => {
      const list = fakeList(120, { serverMax: 25, omitMore: true, totals: false, echoLimit: true });
      await expect(fetchAllPages(list.fetchPage, { what: "GET /v3/schedules" })).resolves.toEqual(range(120));
      expect(list.requests.map((r) => r.offset)).toEqual([0, 25, 50, 75, 100]);
    });

    it("never loops forever on a server that ignores the offset", async () => {
      const list = fakeList(500, {
        omitMore: true,
        totals: false,
        tamper: (_request, page) => ({ ...page, items: range(100) }),
      });
      const error = await fetchAllPages(list.fetchPage, { what: "GET /v3/schedules" }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AppError);
      expect(list.requests.length).toBeLessThanOrEqual(100);
    });

    it("reads every page when a concurrent page leaves `more` out", async () => {
      const list = fakeList(450, {
        tamper: (request, page) => (request.offset === 200 ? { ...page, more: null } : page),
      });
      await expect(fetchAllPages(list.fetchPage, { what: "GET /users" })).resolves.toEqual(range(450));
      expect(list.requests.map((r) => r.offset)).toEqual([0, 100, 200, 300, 400]);
    });
  });

  it("reports progress against the total", async () => {
    const list = fakeList(250);
    const seen: [number, number][] = [];
    await fetchAllPages(list.fetchPage, {
      what: "GET /users",
      onPage: (done, total) => seen.push([done, total]),
    });
    expect(seen).toEqual([
      [100, 250],
      [200, 250],
      [250, 250],
    ]);
  });
});
