// The public API: exactly what README.md's API section lists. Everything else is internal.
export { runGit, GitCommandError, type GitResult, type GitOptions } from "./git.js";
export { openRepo, uncommittedChanges, RepoError, type RepoInfo, type RepoErrorCode, type OpenRepoOptions, type UncommittedChanges } from "./repo.js";
export { withRepoLock, RepoLockTimeoutError, type RepoLockOptions } from "./lock.js";
export {
  addTaskWorktree,
  removeTaskWorktree,
  removeTaskWorktrees,
  pruneWorktrees,
  hooksDir,
  slugify,
  type TaskWorktree,
  type AddTaskWorktreeOptions,
  type RemoveTaskWorktreeOptions,
  type RemoveTaskWorktreeResult,
  type RemoveTaskWorktreesOptions,
} from "./worktree.js";
export type { CommitInfo } from "./log.js";
export { gatherEvidence, runCheck, type GatherEvidenceOptions, type TaskEvidence, type RunCheckOptions, type CheckResult } from "./evidence.js";
export { mergeTaskBranch, mergeTaskBranches, type MergeTaskOptions, type MergeTaskBranchesOptions, type TaskBranch, type MergeResult, type MergeStatus } from "./merge.js";
export { commitFileChange, commitFileChanges, type CommitFileChangeOptions, type CommitFileChangesOptions, type CommitFileChangeResult } from "./commit-file.js";
export { withTaskTrailer } from "./plumbing.js";
export { checkCommitIdentity } from "./objects.js";
export {
  reconcile,
  judgeTask,
  VERDICTS,
  type Verdict,
  type EvidenceKind,
  type EvidenceGrade,
  type TaskFindings,
  type TaskVerdict,
  type ReconcileTask,
} from "./reconcile.js";
export { verifyHistory, type VerifyHistoryOptions, type HistoryReport, type RunOutcome } from "./history.js";
export { countVerdicts, summarizeVerdicts, renderVerdictsMarkdown } from "./report.js";
