import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Severity } from "../observation/verdict.js";
import { decide, decideApproved } from "./decide.js";
import { policyFromConfig } from "./policy-from-config.js";
import { SEVERITIES } from "./rollback-policy.js";

const defaults = policyFromConfig(undefined);
const guarded = policyFromConfig({ approvals: { required: 2, approvers: ["lead", "oncall"] } });

describe("decide (the runbooks' default matrix)", () => {
  it("SEV-1 rolls back at once, approval may come after", () => {
    expect(decide({ severity: "SEV-1", policy: defaults, approvals: [] })).toEqual({
      action: "rollback",
      reason: "SEV-1: approval may come after the rollback",
      approvalsNeeded: 0,
      approvalsGiven: 0,
      bypassed: false,
    });
  });

  it("SEV-2 waits for one approval, then rolls back", () => {
    const waiting = decide({ severity: "SEV-2", policy: defaults, approvals: [] });
    expect(waiting).toMatchObject({
      action: "wait-for-approval",
      approvalsNeeded: 1,
      approvalsGiven: 0,
    });
    expect(waiting.reason).toBe("SEV-2: approval required (0/1 approvals from anyone)");
    expect(
      decide({ severity: "SEV-2", policy: defaults, approvals: [{ actor: "a" }] }),
    ).toMatchObject({ action: "rollback", approvalsGiven: 1, bypassed: false });
  });

  it("SEV-2 with emergency rolls back and says it bypassed the approval", () => {
    expect(
      decide({ severity: "SEV-2", policy: defaults, approvals: [], emergency: true }),
    ).toMatchObject({ action: "rollback", bypassed: true, approvalsNeeded: 1, approvalsGiven: 0 });
  });

  it("SEV-3 prepares and waits even when approvals exist; SEV-4 and no severity monitor", () => {
    expect(
      decide({ severity: "SEV-3", policy: defaults, approvals: [{ actor: "a" }] }).action,
    ).toBe("wait-for-approval");
    expect(decide({ severity: "SEV-4", policy: defaults, approvals: [] }).action).toBe("monitor");
    expect(decide({ severity: null, policy: defaults, approvals: [] })).toMatchObject({
      action: "monitor",
      approvalsNeeded: 0,
    });
  });

  it("counts one approval per allowed, distinct actor", () => {
    const twice = [{ actor: "lead" }, { actor: "lead" }, { actor: "intruder" }];
    expect(decide({ severity: "SEV-2", policy: guarded, approvals: twice })).toMatchObject({
      action: "wait-for-approval",
      approvalsNeeded: 2,
      approvalsGiven: 1,
    });
    const both = [{ actor: "lead" }, { actor: "oncall" }];
    expect(decide({ severity: "SEV-2", policy: guarded, approvals: both }).action).toBe("rollback");
  });
});

describe("decide (properties)", () => {
  const severity = fc.option(fc.constantFrom<Severity>(...SEVERITIES), { nil: null });
  const actors = fc.array(fc.constantFrom("lead", "oncall", "dev", "bot"), { maxLength: 6 });
  const policy = fc.constantFrom(
    defaults,
    guarded,
    policyFromConfig({ autoRollback: true }),
    policyFromConfig({ autoRollback: false }),
    policyFromConfig({ severities: { "SEV-4": "rollback", "SEV-1": { action: "prepare" } } }),
  );
  const input = fc.record({
    severity,
    policy,
    approvals: actors.map((a) => a.map((actor) => ({ actor }))),
  });

  it("never rolls back where the policy says monitor, whatever the approvals or emergency", () => {
    fc.assert(
      fc.property(input, fc.boolean(), (i, emergency) => {
        const rule = i.severity ? i.policy.severities[i.severity] : null;
        const d = decide({ ...i, emergency });
        if (rule === null || rule.action === "monitor") expect(d.action).toBe("monitor");
        else expect(d.action).not.toBe("monitor");
      }),
    );
  });

  it("more approvals never turn a rollback back into a wait", () => {
    fc.assert(
      fc.property(input, actors, (i, more) => {
        const before = decide(i);
        const after = decide({
          ...i,
          approvals: [...i.approvals, ...more.map((actor) => ({ actor }))],
        });
        if (before.action === "rollback") expect(after.action).toBe("rollback");
        expect(after.approvalsGiven).toBeGreaterThanOrEqual(before.approvalsGiven);
      }),
    );
  });

  it("emergency always runs a rollback that would wait, and only then reports a bypass", () => {
    fc.assert(
      fc.property(input, (i) => {
        const normal = decide(i);
        const urgent = decide({ ...i, emergency: true });
        if (normal.action === "wait-for-approval") expect(urgent.action).toBe("rollback");
        expect(urgent.bypassed).toBe(urgent.approvalsGiven < urgent.approvalsNeeded);
        expect(normal.bypassed).toBe(false);
      }),
    );
  });

  it("a rollback without emergency has every approval it needs", () => {
    fc.assert(
      fc.property(input, (i) => {
        const d = decide(i);
        if (d.action === "rollback")
          expect(d.approvalsGiven).toBeGreaterThanOrEqual(d.approvalsNeeded);
      }),
    );
  });
});

describe("decideApproved (a prepared plan's requirement)", () => {
  const requirement = {
    severity: "SEV-2" as const,
    approval: "required" as const,
    needed: 1,
    approvers: ["lead"],
  };

  it("waits, runs once approved by an approver, or bypasses under emergency", () => {
    expect(decideApproved({ requirement, approvals: [{ actor: "dev" }] }).action).toBe(
      "wait-for-approval",
    );
    expect(decideApproved({ requirement, approvals: [{ actor: "lead" }] })).toMatchObject({
      action: "rollback",
      reason: "SEV-2: approved (1/1)",
    });
    expect(decideApproved({ requirement, approvals: [], emergency: true })).toMatchObject({
      action: "rollback",
      bypassed: true,
      reason: "SEV-2: emergency bypass of the approval (0/1 given)",
    });
  });
});
