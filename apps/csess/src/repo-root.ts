import { openRepo } from "@csess/verify";

/** The repository around `cwd`, whose git folder holds csess's runs; a `RepoError` outside one. */
export async function findRepoRoot(cwd: string): Promise<string> {
  return (await openRepo(cwd)).root;
}
