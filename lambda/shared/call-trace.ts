/** The AWS calls made for one decision, in order, as `service:Operation`. */
export class CallTrace {
  private readonly calls: string[] = [];

  public add(call: string): void {
    this.calls.push(call);
  }

  public list(): string[] {
    return [...this.calls];
  }
}
