import { describe, expect, it } from "vitest";
import { createRedactor, isSecretKey, urlPassword } from "./redaction.js";

describe("createRedactor", () => {
  const secret = "p@ss w/rd+1";
  const redactor = createRedactor([secret, "abc"]);

  it("masks plain, URL-encoded and base64 spellings", () => {
    expect(redactor.redactText(`pw=${secret}.`)).toBe("pw=***.");
    expect(redactor.redactText(`q=${encodeURIComponent(secret)}`)).toBe("q=***");
    expect(redactor.redactText(`q=${new URLSearchParams({ s: secret }).toString()}`)).toBe(
      "q=s=***",
    );
    expect(createRedactor(["it's!"]).redactText("it%27s%21")).toBe("***");
    expect(redactor.redactText(Buffer.from(secret).toString("base64"))).toBe("***");
  });

  it("ignores values shorter than 4 characters", () => {
    expect(redactor.redactText("abc abcd")).toBe("abc abcd");
  });

  it("always masks passwords inside URLs", () => {
    const none = createRedactor([]);
    expect(none.redactText("connect postgres://app:topsecret@db:5432/app now")).toBe(
      "connect postgres://app:***@db:5432/app now",
    );
    expect(none.redactText("https://example.com/a:b@c")).toBe("https://example.com/a:b@c");
    expect(none.redactText("redis://:pw@cache")).toBe("redis://:***@cache");
  });

  it("masks the longest secret first", () => {
    expect(createRedactor(["token", "token-long"]).redactText("token-long token")).toBe("*** ***");
  });

  it("redacts nested JSON without mutating it", () => {
    const input = { a: [{ b: `x ${secret}` }, 3, null], [secret]: true, url: "mysql://u:pwpw@h" };
    const output = redactor.redactJson(input);
    expect(output).toEqual({ a: [{ b: "x ***" }, 3, null], "***": true, url: "mysql://u:***@h" });
    expect(input.a[0]).toEqual({ b: `x ${secret}` });
  });

  it("handles secrets containing regex characters and quotes", () => {
    const tricky = 'a.b*c"d\\e';
    const r = createRedactor([tricky]);
    expect(r.redactText(`v=${tricky}`)).toBe("v=***");
    expect(r.redactText(JSON.stringify({ v: tricky }))).toBe('{"v":"***"}');
    expect(r.redactText("aXb*c")).toBe("aXb*c");
  });
});

describe("isSecretKey", () => {
  it("recognises credential-looking names", () => {
    for (const key of [
      "password",
      "dbPassword",
      "DB_PASSWD",
      "pwd",
      "apiKey",
      "api_key",
      "GITHUB_TOKEN",
      "clientSecret",
      "credentials",
      "privateKey",
    ]) {
      expect(isSecretKey(key), key).toBe(true);
    }
    for (const key of ["path", "url", "service", "monkey", "tokenizer", "timeout"]) {
      expect(isSecretKey(key), key).toBe(false);
    }
  });
});

describe("urlPassword", () => {
  it("extracts and decodes the password", () => {
    expect(urlPassword("postgres://app:p%40ss@db/app")).toBe("p@ss");
    expect(urlPassword("postgres://app@db/app")).toBeUndefined();
    expect(urlPassword("http://127.0.0.1:3000/ready")).toBeUndefined();
  });
});
