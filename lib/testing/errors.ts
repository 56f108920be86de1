/** Test helpers: the AppError a call throws, failing the test when it throws nothing or something else. */
import { expect } from "vitest";
import { AppError } from "@/lib/errors";

export function thrownAppError(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("expected an AppError, nothing was thrown");
}

export async function rejectedAppError(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => new Error("expected an AppError, the promise resolved"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}
