import { describe, expect, it } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { DateTime, formatDateTime, formatInZone } from "./time";

describe("a due moment on the person's own clock", () => {
  it("reads the moment as their zone's clock does, across a DST change", () => {
    expect(formatInZone("2026-12-02T10:00:00Z", "Europe/Berlin")).toBe("Wed 2 Dec, 11:00 Europe/Berlin");
    expect(formatInZone("2026-07-01T10:00:00Z", "Europe/Berlin")).toBe("Wed 1 Jul, 12:00 Europe/Berlin");
    expect(formatInZone("2026-12-02T10:00:00Z", "America/Los_Angeles")).toBe(
      "Wed 2 Dec, 02:00 America/Los_Angeles",
    );
    expect(formatDateTime("2026-12-02T10:00:00Z")).toBe("2 Dec 2026, 10:00 UTC");
  });

  it("is left out for a zone the runtime does not know, rather than failing the page", () => {
    expect(formatInZone("2026-12-02T10:00:00Z", "Europe/Berlln")).toBeNull();
  });
});

describe("a moment in the viewer's time zone", () => {
  it("one format, in the zone given, named; UTC without one or for a zone the runtime does not know", () => {
    expect(formatDateTime("2026-12-02T10:00:00Z", "Europe/Berlin")).toBe("2 Dec 2026, 11:00 Europe/Berlin");
    expect(formatDateTime("2026-12-02T10:00:00Z", "America/Los_Angeles")).toBe(
      "2 Dec 2026, 02:00 America/Los_Angeles",
    );
    expect(formatDateTime("2026-12-02T10:00:00Z", "UTC")).toBe("2 Dec 2026, 10:00 UTC");
    expect(formatDateTime("2026-12-02T10:00:00Z", null)).toBe("2 Dec 2026, 10:00 UTC");
    expect(formatDateTime("2026-12-02T10:00:00Z", "Europe/Berlln")).toBe("2 Dec 2026, 10:00 UTC");
  });

  it("the server's render (and the browser's first) reads UTC, so both agree before the browser's zone applies", () => {
    const html = renderToStaticMarkup(<DateTime iso="2026-12-02T10:00:00Z" />);
    expect(html).toBe(
      '<time dateTime="2026-12-02T10:00:00Z" title="2 Dec 2026, 10:00 UTC">2 Dec 2026, 10:00 UTC</time>',
    );
  });
});
