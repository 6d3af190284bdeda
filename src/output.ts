/** The colours ipcompose uses; identity functions when colour is off. */
export interface Paint {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const plain: Paint = { bold: (t) => t, dim: (t) => t, red: (t) => t, green: (t) => t, yellow: (t) => t, cyan: (t) => t };

export interface OutputOptions {
  quiet?: boolean;
  verbose?: boolean;
  env: NodeJS.ProcessEnv;
  stderr?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
  stdout?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
}

/**
 * Everything ipcompose itself prints goes through here: progress and
 * diagnostics on stderr (stdout stays clean for --json and for compose),
 * colour only on a terminal and never with NO_COLOR.
 */
export class Output {
  /**
   * Each stream gets colour only when it is a terminal itself: piping stdout
   * to a file must not fill it with escapes because stderr is a terminal.
   * chalk is loaded only then, which keeps it off the start-up of scripts.
   */
  static async create(options: OutputOptions): Promise<Output> {
    const noColor = options.env.NO_COLOR !== undefined && options.env.NO_COLOR !== '';
    const wants = (stream: { isTTY?: boolean }) => Boolean(stream.isTTY) && !noColor;
    const out = wants(options.stdout ?? process.stdout);
    const err = wants(options.stderr ?? process.stderr);
    if (!out && !err) return new Output(options, plain, plain);
    const { Chalk } = await import('chalk');
    const colored = new Chalk({ level: 1 });
    return new Output(options, out ? colored : plain, err ? colored : plain);
  }

  readonly quiet: boolean;
  readonly verbose: boolean;
  /** Colours for what goes to stdout (print). */
  readonly color: Paint;
  /** Colours for progress and diagnostics on stderr. */
  private readonly errColor: Paint;
  private readonly err: { write(s: string): unknown };
  private readonly out: { write(s: string): unknown };
  private readonly errIsTTY: boolean;

  /** Without colours; Output.create decides them. */
  constructor(options: OutputOptions, color: Paint = plain, errColor: Paint = plain) {
    this.quiet = options.quiet ?? false;
    this.verbose = options.verbose ?? false;
    this.err = options.stderr ?? process.stderr;
    this.errIsTTY = Boolean((options.stderr ?? process.stderr).isTTY);
    this.out = options.stdout ?? process.stdout;
    this.color = color;
    this.errColor = errColor;
  }

  /** A progress line; hidden by --quiet. */
  step(message: string): void {
    if (!this.quiet) this.err.write(`${this.errColor.cyan('ipcompose')} ${message}\n`);
  }

  /**
   * A step that takes a while (creating networks, probing): a spinner on a
   * terminal, one plain line otherwise, nothing with --quiet.
   */
  async task<T>(label: string, work: () => Promise<T>): Promise<T> {
    if (this.quiet) return work();
    if (!this.errIsTTY || this.verbose) {
      this.step(label);
      return work();
    }
    const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    let i = 0;
    const draw = (mark: string) => this.err.write(`\r\u001b[2K${mark} ${label}`);
    draw(this.errColor.cyan(frames[0]!));
    const timer = setInterval(() => draw(this.errColor.cyan(frames[++i % frames.length]!)), 80);
    try {
      const result = await work();
      draw(this.errColor.green('✓'));
      return result;
    } catch (error) {
      draw(this.errColor.red('✗'));
      throw error;
    } finally {
      clearInterval(timer);
      this.err.write('\n');
    }
  }

  warn(message: string, hint?: string): void {
    this.err.write(`${this.errColor.yellow('ipcompose: warning:')} ${message}\n`);
    if (hint) this.err.write(`  ${this.errColor.dim(hint)}\n`);
  }

  error(message: string, hint?: string): void {
    this.err.write(`${this.errColor.red('ipcompose: error:')} ${message}\n`);
    if (hint) this.err.write(`  ${this.errColor.dim(`hint: ${hint}`)}\n`);
  }

  /** Each external command, as argv, with --verbose. */
  command(argv: readonly string[]): void {
    if (this.verbose) this.err.write(this.errColor.dim(`$ ${argv.map(quoteArg).join(' ')}\n`));
  }

  /** Work ipcompose saved itself, with --verbose. */
  detail(message: string): void {
    if (this.verbose) this.err.write(this.errColor.dim(`# ${message}\n`));
  }

  /** Each Docker engine API request, with --verbose. */
  request(method: string, path: string): void {
    if (this.verbose) this.err.write(this.errColor.dim(`> ${method} ${path}\n`));
  }

  /**
   * A table on stdout: columns padded to their widest cell, a bold header,
   * each row in the colour `paint` gives it (none off a terminal).
   */
  table(header: readonly string[], rows: readonly string[][], paint: (row: number, text: string) => string = (_r, t) => t): void {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: readonly string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
    this.print([this.color.bold(line(header)), ...rows.map((r, i) => paint(i, line(r)))].join('\n'));
  }

  /** Results for scripts (plan, --json) go to stdout. */
  print(text: string): void {
    this.out.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}

function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}
