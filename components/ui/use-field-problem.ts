"use client";

import { useCallback, useEffect, useState } from "react";

/** A refused submit: the field it is about (its element id) and what to do. */
export interface FieldProblem {
  fieldId: string;
  message: string;
}

/**
 * The forms' one validation pattern (see `Field`): a submit with a problem shows the message under the
 * field and moves focus to it, where a screen reader reads the label, the hint and the message. The
 * message stays until the next submit or `clear` (call it when the field changes). The server checks
 * everything again.
 */
export function useFieldProblem() {
  const [problem, setProblem] = useState<FieldProblem | null>(null);
  // After the render that shows the message, so the field is read with it.
  useEffect(() => {
    if (problem) document.getElementById(problem.fieldId)?.focus();
  }, [problem]);
  const errorFor = useCallback(
    (fieldId: string) => (problem?.fieldId === fieldId ? problem.message : null),
    [problem],
  );
  // A fresh object each time: a second refused submit moves focus back to the field.
  const report = useCallback((fieldId: string, message: string) => setProblem({ fieldId, message }), []);
  const clear = useCallback(() => setProblem(null), []);
  return { problem, errorFor, report, clear };
}
