/** Why a fetch to a metrics endpoint failed, in words: a timeout, the socket error's code, or the message. */
export function describeFetchFailure(cause: unknown, timeoutMs: number): string {
  if (cause instanceof Error) {
    if (cause.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
    const inner = cause.cause;
    if (inner instanceof Error) {
      const code = (inner as NodeJS.ErrnoException).code;
      return code ? `${code} (${inner.message})` : inner.message;
    }
    return cause.message;
  }
  return String(cause);
}
