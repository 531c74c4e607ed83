// Where the procedures YAML strata ships is: the default wherever one is read (a module of its own, so that naming
// the default loads no YAML parser or zod).
import path from 'node:path';
import { projectRoot } from '../version.js';

export const SHIPPED_PROCEDURES_YAML = path.join(projectRoot, 'config', 'procedures.yml');
