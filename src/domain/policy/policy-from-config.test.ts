import { describe, expect, it } from "vitest";
import { loadConfigText } from "../config/load-config-text.js";
import { autoRollbackPolicy, policyFromConfig } from "./policy-from-config.js";

const vars = { processEnv: {}, envFile: {} };

const rows = (policy: ReturnType<typeof policyFromConfig>) =>
  Object.fromEntries(
    Object.entries(policy.severities).map(([s, r]) => [
      s,
      `${r.action}/${r.approval}/${r.approvalsRequired}`,
    ]),
  );

describe("policyFromConfig", () => {
  it("without a policy: the runbooks' matrix (SEV-1 rollback, approval after; SEV-2 rollback, approval required; SEV-3 prepare; SEV-4 monitor)", () => {
    const policy = policyFromConfig(undefined);
    expect(policy.source).toBe("default");
    expect(rows(policy)).toEqual({
      "SEV-1": "rollback/after/0",
      "SEV-2": "rollback/required/1",
      "SEV-3": "prepare/required/1",
      "SEV-4": "monitor/none/0",
    });
  });

  it("autoRollback: true keeps its old meaning: every severity rolls back, no approval", () => {
    const policy = policyFromConfig({ autoRollback: true });
    expect(policy.source).toBe("auto-rollback");
    expect(new Set(Object.values(rows(policy)))).toEqual(new Set(["rollback/none/0"]));
    // The --auto-rollback flag does the same over a config that says nothing.
    expect(rows(policyFromConfig(undefined, { autoRollback: true }))).toEqual(rows(policy));
  });

  it("autoRollback: false (or --no-auto-rollback): nothing rolls back by itself, rollbacks are prepared", () => {
    const policy = policyFromConfig({ autoRollback: false });
    expect(rows(policy)).toEqual({
      "SEV-1": "prepare/after/0",
      "SEV-2": "prepare/required/1",
      "SEV-3": "prepare/required/1",
      "SEV-4": "monitor/none/0",
    });
    const flagged = policyFromConfig({ autoRollback: true }, { autoRollback: false });
    expect(rows(flagged)).toEqual(rows(policy));
  });

  it("severities override the defaults row by row, with approvals per severity", () => {
    const policy = policyFromConfig({
      severities: {
        "SEV-3": "rollback",
        "SEV-2": { action: "rollback", required: 2, approvers: ["lead", "cto"] },
      },
      approvals: { required: 1, approvers: ["oncall"] },
    });
    expect(policy.source).toBe("severities");
    expect(policy.severities["SEV-2"]).toEqual({
      action: "rollback",
      approval: "required",
      approvalsRequired: 2,
      approvers: ["lead", "cto"],
    });
    // An action changed without saying when approvals come: approval required.
    expect(policy.severities["SEV-3"]).toMatchObject({ action: "rollback", approval: "required" });
    expect(policy.severities["SEV-1"]).toMatchObject({ approvers: ["oncall"], approval: "after" });
  });

  it("reads the block from a config file, and reports a bad action with its key path", () => {
    const text = (policy: string) => `version: 1
service: shop
environments:
  production:
    target: { kind: local, root: ./deploy, start: [node, server.js] }
    policy:
${policy}
`;
    const good = loadConfigText(
      text(`      severities:
        SEV-2: { action: rollback, approval: required }
      approvals: { required: 1, approvers: [alice] }
      notify:
        - { kind: webhook, url: "https://hooks.example.com/services/T0/B0/secret" }
        - { kind: stdout }`),
      "shipsafe.yaml",
      vars,
    );
    const policy = good.config.environments.production?.policy;
    expect(policyFromConfig(policy).severities["SEV-2"]).toMatchObject({ approvers: ["alice"] });
    expect(good.secretValues).toContain("https://hooks.example.com/services/T0/B0/secret");

    expect(() =>
      loadConfigText(text("      severities: { SEV-2: rollbak }"), "shipsafe.yaml", vars),
    ).toThrow(/severities/);
  });
});

describe("autoRollbackPolicy (what deploy --auto-rollback acts under)", () => {
  it("keeps a configured matrix, else rolls back every severity without approval", () => {
    const matrix = policyFromConfig({ autoRollback: true, severities: {} });
    expect(matrix.source).toBe("severities");
    expect(autoRollbackPolicy(matrix)).toBe(matrix);
    expect(matrix.severities["SEV-2"]).toMatchObject({ action: "rollback", approval: "required" });
    for (const policy of [
      undefined,
      policyFromConfig(undefined),
      policyFromConfig({ autoRollback: false }),
    ]) {
      expect(autoRollbackPolicy(policy).source).toBe("auto-rollback");
    }
  });
});

describe("docs/policy.md", () => {
  it("its example config is valid and means what the page says", async () => {
    const { readFile } = await import("node:fs/promises");
    const page = await readFile(new URL("../../../docs/policy.md", import.meta.url), "utf8");
    const block = /```yaml\n([\s\S]*?)```/.exec(page)?.[1] ?? "";
    const text = `version: 1\nservice: shop\n${block.replace(
      "  production:\n",
      "  production:\n    target: { kind: local, root: ./deploy, start: [node, server.js] }\n",
    )}`;
    const hook = "https://hooks.slack.com/services/T0/B0/XYZ";
    const loaded = loadConfigText(text, "policy.md", {
      processEnv: { SLACK_WEBHOOK_URL: hook },
      envFile: {},
    });
    const policy = policyFromConfig(loaded.config.environments.production?.policy);
    expect(policy.severities["SEV-2"]).toEqual({
      action: "rollback",
      approval: "required",
      approvalsRequired: 1,
      approvers: ["platform-lead"],
    });
    expect(policy.severities["SEV-3"]).toMatchObject({ action: "prepare", approval: "required" });
    expect(policy.severities["SEV-4"]).toMatchObject({ action: "monitor" });
    expect(loaded.secretValues).toContain(hook);
  });
});
