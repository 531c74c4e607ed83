import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../../test/support/run-cli.js';

describe('the strata CLI shell', () => {
  it('prints help listing its commands and exits 0', async () => {
    const run = await runCli(['--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /Usage: strata/);
  });

  it('prints the help on stderr and exits 2 when no command is named', async () => {
    const run = await runCli([]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /Usage: strata \[options\] \[command\]/);
    assert.match(run.stderr, /stage\|stage-all/);
    assert.doesNotMatch(run.stderr, /outputHelp/);
    assert.match(run.stderr, /strata: name a command \(strata <command> --help lists its flags\)\.\n$/);
  });

  it('rejects an unknown flag with exit 2 and one line on stderr', async () => {
    const run = await runCli(['--no-such-flag']);
    assert.equal(run.code, 2);
    assert.equal(run.stderr.trim().split('\n').length, 1);
    assert.match(run.stderr, /unknown option '--no-such-flag'/);
  });
});

describe('the command table', () => {
  it('registers, under each name, the command of that name', async () => {
    const { commands } = await import('./commands/index.js');
    const { Command } = await import('commander');
    for (const [name, { load }] of Object.entries(commands)) {
      const program = new Command();
      (await load())(program, { io: { stdout: process.stdout, stderr: process.stderr, env: {}, cwd: '.' }, setExitCode() {} });
      assert.deepEqual(program.commands.map((c) => c.name()), [name]);
    }
  });
});
