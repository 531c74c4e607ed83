// Every CLI command, one module each; main.ts registers them in this order.
import type { Command } from 'commander';
import type { CommandContext } from '../io.js';

export type RegisterCommand = (program: Command, context: CommandContext) => void;

export const commands: readonly RegisterCommand[] = [];
