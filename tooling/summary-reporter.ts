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
      let failedHere = 0;
      for (const test of module.children.allTests()) {
        const { state } = test.result();
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
        else skipped++;
      }
      // a file that failed outside its tests (an import, a hook, a check after them) counts once
      if (module.state() === 'failed' && failedHere === 0) failedHere = 1;
      failed += failedHere;
    }
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    process.stdout.write(`\n${this.label}: ${passed} passed, ${failed} failed${tail}\n`);
  }
}
