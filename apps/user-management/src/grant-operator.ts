// CLI: node apps/user-management/dist/grant-operator.js <email>. Gives a user the operator role; never starts the service.
import { runGrantOperatorCli } from './roles/grant-operator';

void runGrantOperatorCli(
  process.argv.slice(2),
  process.env,
  (line) => process.stdout.write(`${line}\n`),
  (line) => process.stderr.write(`${line}\n`),
).then((code) => {
  process.exitCode = code;
});
