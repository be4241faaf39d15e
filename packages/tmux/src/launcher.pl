#!/usr/bin/perl
# The process tmux runs in a csess pane: `perl launcher.pl`, with only CSESS_STATE_DIR passed by tmux.
# It reads the command (argv), environment and limits from the state directory's `launch` file, so no
# user text ever meets a shell or the tmux command line. It tees output to the log, enforces the
# timeout and stall limits itself (they hold while no orchestrator is alive), writes the exit file
# atomically (tmux 3.3a loses fast exit statuses), signals the wait-for channel, runs the hook, and
# keeps the pane open briefly.
#
# Perl, not node: one launcher starts per agent start, and perl (perl-base, always on Debian and macOS)
# starts in a few milliseconds of CPU where node takes 40 or more. Only core modules are used.
use strict;
use warnings;
use POSIX ();
use Time::HiRes ();
use Config;

my $HOLD_PANE_S = 0.5;  # long enough for tmux to drain the pty and apply remain-on-exit
my $DRAIN_S = 1;        # output still arriving after the command exited is not waited for longer
my $HOOK_LIMIT_S = 60;
my $SIGNAL_LIMIT_S = 10;
my %JSON_ESCAPES = ("\"" => "\\\"", "\\" => "\\\\", "\b" => "\\b", "\f" => "\\f", "\n" => "\\n", "\r" => "\\r", "\t" => "\\t");

my $state_dir = $ENV{CSESS_STATE_DIR};
if (!defined $state_dir || $state_dir eq "") {
  print STDERR "csess launcher: CSESS_STATE_DIR is not set; this script is started by \@csess/tmux\n";
  exit 2;
}
my %launch = read_launch("$state_dir/launch");
my %env = map { split /=/, $_, 2 } @{ $launch{env} };
# The command runs inside this pane, whatever tmux the caller was in.
for my $key (qw(TMUX TMUX_PANE)) {
  if (defined $ENV{$key}) { $env{$key} = $ENV{$key} } else { delete $env{$key} }
}
my @argv = @{ $launch{argv} };
my $cwd = $launch{cwd}[0];

my $log_file = "$state_dir/output.log";
open(my $log, ">>", $log_file) or die "csess launcher: cannot open $log_file: $!\n";
binmode $log;
binmode STDOUT;
$SIG{PIPE} = "IGNORE";
my $pane_alive = 1;

my $reason = "exit";
my $orphaned = 0;     # the pane or the tmux server went away: the session is dead, no exit file
my $terminating = 0;
my ($child, $out);    # the command's pid, and the read end of its stdout+stderr
my ($stall_at, $timeout_at, $kill_at, $drain_at);
my $stall_s = seconds($launch{stallMs});
$stall_at = now() + $stall_s if defined $stall_s;
$timeout_at = now() + seconds($launch{timeoutMs}) if defined $launch{timeoutMs};

# A child's exit wakes the loop's select through this pipe (a signal alone could arrive just before it).
pipe(my $wake_r, my $wake_w) or die "csess launcher: pipe: $!\n";
$SIG{CHLD} = sub { syswrite($wake_w, "x") };
$SIG{TERM} = sub { terminate("killed") };
$SIG{HUP} = sub { $orphaned = 1; $pane_alive = 0; terminate("killed") };
# Ctrl-C in an attached pane reaches only our group; pass it on and let the command decide.
$SIG{INT} = sub { kill_group("INT") };

my $spawn_error = spawn_command();
# Signal handlers are in place once this file exists: `kill` waits for it before sending SIGTERM.
write_atomic("$state_dir/launcher.json", sprintf("{\"pid\":%d%s}\n", $$, defined $child ? ",\"commandPid\":$child" : ""));
if (defined $spawn_error) {
  my ($why, $code) = @$spawn_error;
  output("csess: cannot run " . json_string($argv[0]) . ": $why\n");
  finish($code, undef);
}
watch_command();

# --- the pieces, in the order they run ---

# The `launch` file: NUL-terminated "key=value" entries; argv, env and hook repeat their key.
sub read_launch {
  my ($file) = @_;
  open(my $fh, "<", $file) or die "csess launcher: cannot read $file: $!\n";
  binmode $fh;
  local $/;
  my $text = <$fh>;
  close $fh;
  # It holds the caller's environment (API keys): on disk only until the launcher has it.
  unlink $file;
  my %fields = (argv => [], env => [], hook => []);
  for my $entry (split /\0/, $text) {
    my ($key, $value) = split /=/, $entry, 2;
    push @{ $fields{$key} }, $value;
  }
  return %fields;
}

# Starts the command in its own session (so killing its group reaches its children and not us), or
# says why it could not start, as a shell would: 127 not found, 126 otherwise.
sub spawn_command {
  my $stdin;
  if (defined $launch{stdinFile}) {
    open($stdin, "<", $launch{stdinFile}[0]) or return ["cannot read its stdin file: $!", 126];
  }
  pipe($out, my $out_w) or die "csess launcher: pipe: $!\n";
  pipe(my $status_r, my $status_w) or die "csess launcher: pipe: $!\n";  # closed on exec: empty means started
  my $pid = fork() // die "csess launcher: fork: $!\n";
  if ($pid == 0) {
    close $out;
    close $status_r;
    open(STDIN, "<&", $stdin) if defined $stdin;  # else the pane's terminal
    open(STDOUT, ">&", $out_w);
    open(STDERR, ">&", $out_w);
    run_in_child($status_w, $cwd, \%env, @argv);
  }
  close $out_w;
  close $status_w;
  close $stdin if defined $stdin;
  my $errno = <$status_r>;
  close $status_r;
  if (defined $errno) {
    waitpid($pid, 0);
    close $out;
    undef $out;
    local $! = $errno + 0;
    return ["spawn $argv[0] " . errno_name(), $! == POSIX::ENOENT() ? 127 : 126];
  }
  $child = $pid;
  return undef;
}

# In a forked child: a new session, the given directory and environment, default signals, then exec.
# An exec that fails reports its errno on the status pipe and ends the child.
sub run_in_child {
  my ($status_w, $dir, $env, @command) = @_;
  $SIG{$_} = "DEFAULT" for qw(PIPE CHLD TERM HUP INT);
  POSIX::setsid();
  if (chdir $dir) {
    %ENV = %$env;
    exec { $command[0] } @command;
  }
  syswrite($status_w, ($! + 0) . "\n");
  POSIX::_exit(127);
}

sub errno_name {
  for my $name (keys %!) { return $name if $!{$name} }
  return "errno " . ($! + 0);
}

# Tees output until the command has exited and its output has ended (or stopped coming), enforcing
# the stall and time limits meanwhile.
sub watch_command {
  my ($exited, $code, $signal);
  while (1) {
    if (!$exited && waitpid($child, POSIX::WNOHANG()) == $child) {
      $exited = 1;
      ($code, $signal) = ($? & 127) ? (undef, signal_name($? & 127)) : ($? >> 8, undef);
      $drain_at = now() + $DRAIN_S;
    }
    return finish($code, $signal) if $exited && (!defined $out || now() >= $drain_at);
    my $t = now();
    terminate("stalled") if defined $stall_at && $t >= $stall_at && !$exited;
    terminate("timeout") if defined $timeout_at && $t >= $timeout_at && !$exited;
    if (defined $kill_at && $t >= $kill_at) {
      kill_group("KILL");
      undef $kill_at;
    }
    my $rin = "";
    vec($rin, fileno($wake_r), 1) = 1;
    vec($rin, fileno($out), 1) = 1 if defined $out;
    my @deadlines = grep { defined } ($stall_at, $timeout_at, $kill_at, $exited ? $drain_at : undef);
    my $wait = 0.25;  # at most: a child's exit racing the select is still seen soon
    for my $at (@deadlines) { $wait = $at - $t if $at - $t < $wait }
    $wait = 0 if $wait < 0;
    next if select(my $ready = $rin, undef, undef, $wait) <= 0;
    sysread($wake_r, my $drop, 64) if vec($ready, fileno($wake_r), 1);
    next unless defined $out && vec($ready, fileno($out), 1);
    my $n = sysread($out, my $chunk, 65536);
    if ($n) {
      output($chunk);
    } elsif (defined $n || !$!{EINTR}) {
      close $out;  # end of output: every writer is gone
      undef $out;
    }
  }
}

sub output {
  my ($chunk) = @_;
  write_all($log, $chunk);
  $pane_alive = 0 if $pane_alive && !write_all(\*STDOUT, $chunk);
  $stall_at = now() + $stall_s if defined $stall_s;
}

# syswrite may take only part of a chunk (a pty, a signal); false once the reader is gone.
sub write_all {
  my ($fh, $data) = @_;
  while (length $data) {
    my $n = syswrite($fh, $data);
    if (!defined $n) {
      next if $!{EINTR};
      return 0;
    }
    substr($data, 0, $n) = "";
  }
  return 1;
}

sub kill_group {
  my ($signal) = @_;
  kill($signal, -$child) if defined $child;  # the group may be gone already
}

sub terminate {
  my ($why) = @_;
  return if $terminating;
  $terminating = 1;
  $reason = $why;
  note("stopping the command ($why): SIGTERM, SIGKILL in $launch{killGraceMs}[0] ms");
  kill_group("TERM");
  $kill_at = now() + seconds($launch{killGraceMs});
  ($stall_at, $timeout_at) = (undef, undef);
}

sub note {
  my ($text) = @_;
  $pane_alive = 0 if $pane_alive && !write_all(\*STDOUT, "\n[csess] $text\n");
}

sub finish {
  my ($code, $signal) = @_;
  close $log;
  my $exit_code = $code // 128 + signal_number($signal);
  if (!$orphaned) {
    my $ended_ms = int(now() * 1000);
    write_atomic("$state_dir/exit.json", sprintf(
      "{\"exitCode\":%d,%s\"reason\":\"%s\",\"startedAt\":%s,\"endedAt\":\"%s\",\"durationMs\":%d}\n",
      $exit_code, defined $signal ? "\"signal\":\"$signal\"," : "", $reason, json_string($launch{startedAt}[0]),
      iso_time($ended_ms), $ended_ms - $launch{startedAtMs}[0],
    ));
  }
  # Wakes waiters at once; for an orphaned session they then see it gone without an exit file (dead).
  # From "/": the command may have deleted its working directory, and the wake-up must not depend on it.
  run_quietly("/", $SIGNAL_LIMIT_S, {}, $launch{tmuxBin}[0], "-S", $launch{socket}[0], "wait-for", "-S", $launch{channel}[0]);
  if (!$orphaned && @{ $launch{hook} }) {
    run_quietly($cwd, $HOOK_LIMIT_S, {
      CSESS_SESSION => $launch{name}[0],
      CSESS_EXIT_CODE => $exit_code,
      CSESS_EXIT_REASON => $reason,
      CSESS_CWD => $cwd,
      CSESS_LOG_FILE => $log_file,
      CSESS_STATE_DIR => $state_dir,
    }, @{ $launch{hook} });
  }
  note("$launch{name}[0] exited with code $exit_code" . ($reason eq "exit" ? "" : " ($reason)") . " at " . iso_time(int(now() * 1000)) . "; output in $log_file");
  select(undef, undef, undef, $HOLD_PANE_S) unless $orphaned;
  POSIX::_exit($exit_code & 0xff);
}

# Runs a helper (tmux signal, completion hook) to its end or its time limit; its failure is only reported.
# Detached: the hook survives the pane closing when it outlives the launcher.
sub run_quietly {
  my ($dir, $limit_s, $extra_env, @command) = @_;
  pipe(my $status_r, my $status_w) or return note("$command[0] failed: pipe: $!");
  my $pid = fork();
  return note("$command[0] failed: fork: $!") unless defined $pid;
  if ($pid == 0) {
    close $status_r;
    open(STDIN, "<", "/dev/null");
    if (!$pane_alive) {
      open(STDOUT, ">", "/dev/null");
      open(STDERR, ">", "/dev/null");
    }
    run_in_child($status_w, $dir, { %env, %$extra_env }, @command);
  }
  close $status_w;
  my $errno = <$status_r>;
  close $status_r;
  if (defined $errno) {
    waitpid($pid, 0);
    local $! = $errno + 0;
    return note("$command[0] failed: spawn $command[0] " . errno_name());
  }
  eval {
    local $SIG{ALRM} = sub { die "limit\n" };
    alarm $limit_s;
    waitpid($pid, 0);
    alarm 0;
  };
  alarm 0;
}

# Via a temporary file and rename, so readers never see a torn file. The folder is made when missing,
# and again when it vanishes in between: the command may delete its own state folder at any moment.
sub write_atomic {
  my ($file, $content) = @_;
  (my $dir = $file) =~ s{/[^/]*$}{};
  for my $attempt (1 .. 5) {
    make_path($dir);
    my $tmp = sprintf("%s.%08x.tmp", $file, int(rand(0xffffffff)));
    if (open(my $fh, ">", $tmp)) {
      print $fh $content;
      close $fh;
      return if rename($tmp, $file);
    }
    die "csess launcher: cannot write $file: $!\n" unless $!{ENOENT} && $attempt < 5;
  }
}

sub make_path {
  my ($dir) = @_;
  return if $dir eq "" || -d $dir;
  (my $parent = $dir) =~ s{/[^/]*$}{};
  make_path($parent);
  mkdir($dir, 0700);
}

sub now { Time::HiRes::time() }

sub seconds {
  my ($field) = @_;
  return defined $field ? $field->[0] / 1000 : undef;
}

sub iso_time {
  my ($ms) = @_;
  my @g = gmtime(int($ms / 1000));
  return sprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", $g[5] + 1900, $g[4] + 1, @g[3, 2, 1, 0], $ms % 1000);
}

# As JSON.stringify writes a string.
sub json_string {
  my ($s) = @_;
  $s =~ s{(["\\\x00-\x1f])}{$JSON_ESCAPES{$1} // sprintf("\\u%04x", ord($1))}ge;
  return "\"$s\"";
}

sub signal_name {
  my ($number) = @_;
  my $name = (split ' ', $Config{sig_name})[$number];
  return "SIG$name";
}

sub signal_number {
  my ($name) = @_;
  return 0 unless defined $name;
  $name =~ s/^SIG//;
  my @names = split ' ', $Config{sig_name};
  for my $i (0 .. $#names) { return $i if $names[$i] eq $name }
  return 0;
}
