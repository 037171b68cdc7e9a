// Vitest reporter that ends a run with one line, `<label>: N passed, N failed[, N skipped]`,
// so CI logs and people read the same verdict for every package.
interface TestCaseLike {
  result(): { state: 'passed' | 'failed' | 'skipped' | 'pending' };
}
interface TestModuleLike {
  state(): string;
  children: { allTests(): Iterable<TestCaseLike> };
}

export default class SummaryReporter {
  private readonly label: string;

  constructor(options: { label?: string } = {}) {
    this.label = options.label ?? process.env.npm_package_name ?? 'tests';
  }

  onTestRunEnd(modules: readonly TestModuleLike[], unhandledErrors: readonly unknown[]): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const module of modules) {
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed++;
      for (const test of module.children.allTests()) {
        const { state } = test.result();
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
    }
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    process.stdout.write(`\n${this.label}: ${passed} passed, ${failed} failed${tail}\n`);
  }
}
