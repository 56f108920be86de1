import { describe, expect, it } from "vitest";
import { SIGN_IN_ERRORS, describeSignInError } from "./sign-in-errors";

describe("describeSignInError", () => {
  it("explains a refusal for someone not in the roster", () => {
    const description = describeSignInError(SIGN_IN_ERRORS.notInRoster);
    expect(description.heading).toBe("You are not in the support roster");
    expect(description.message).toContain("ask your manager to add you");
  });

  it("explains a refusal for an account that matches two roster entries", () => {
    const description = describeSignInError(SIGN_IN_ERRORS.ambiguousMatch);
    expect(description.heading).toBe("Your account matches more than one roster entry");
    expect(description.message).toContain("Ask Support Operations to correct the roster");
  });

  it.each([undefined, null, "", "Nonsense", "__proto__", "toString"])("falls back for %j", (code) => {
    expect(describeSignInError(code)).toEqual({
      heading: "Sign-in failed",
      message: "Something went wrong while signing you in. Try again.",
    });
  });
});
