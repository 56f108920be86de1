export default function HomePage() {
  return (
    <main className="mx-auto max-w-3xl p-8">
      <h1 className="text-2xl font-semibold">PagerDuty audit</h1>
      <p className="mt-4 text-slate-700">
        The dashboard is not built yet. Run an audit from the command line with{" "}
        <code className="rounded bg-slate-200 px-1">npx pagerduty-audit --config audit.config.yaml</code>, or
        see the README for the demo.
      </p>
    </main>
  );
}
