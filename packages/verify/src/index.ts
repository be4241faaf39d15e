export { runGit, GitCommandError, type GitResult, type GitOptions } from "./git.js";
export { openRepo, uncommittedChanges, RepoError, type RepoInfo, type RepoErrorCode, type OpenRepoOptions, type UncommittedChanges } from "./repo.js";
export { withRepoLock, RepoLockTimeoutError, LOCK_FILE, type RepoLockOptions } from "./lock.js";
export {
  addTaskWorktree,
  removeTaskWorktree,
  pruneWorktrees,
  listWorktrees,
  listTaskWorktrees,
  slugify,
  taskBranchName,
  TASK_BRANCH_PREFIX,
  type TaskWorktree,
  type AddTaskWorktreeOptions,
  type RemoveTaskWorktreeOptions,
  type RemoveTaskWorktreeResult,
  type WorktreeEntry,
} from "./worktree.js";
export { readCommits, addStats, TASK_TRAILER, type CommitInfo, type ReadCommitsOptions } from "./log.js";
export {
  gatherEvidence,
  CSESS_PATHS,
  runCheck,
  readBlob,
  type GatherEvidenceOptions,
  type TaskEvidence,
  type RunCheckOptions,
  type CheckResult,
} from "./evidence.js";
export { mergeTaskBranch, type MergeTaskOptions, type MergeResult, type MergeStatus } from "./merge.js";
export { commitFileChange, type CommitFileChangeOptions, type CommitFileChangeResult } from "./commit-file.js";
export { withTaskTrailer } from "./plumbing.js";
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
export { TaskMatcher, scoreMatch, wordKeys, MESSAGE_MATCH_THRESHOLD, type MessageMatch } from "./match.js";
export { verifyHistory, matchBranch, type VerifyHistoryOptions, type HistoryReport, type RunOutcome } from "./history.js";
export { countVerdicts, summarizeVerdicts, renderVerdictsMarkdown } from "./report.js";
