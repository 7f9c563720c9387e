/**
 * A config whose release gate passes unless the working directory holds a file named BROKEN: a
 * cheap gate tests can make pass or fail at will.
 */
export const BROKEN_FILE_GATE_CONFIG = `version: 1
service: shop
environments:
  production:
    target: { kind: local, root: ./deploy, start: [node, server.js] }
    gates:
      release:
        checks:
          - type: command
            name: build
            command: [${JSON.stringify(process.execPath)}, -e, "process.exit(require('fs').existsSync('BROKEN') ? 1 : 0)"]
`;
