#include "simnas/core/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "simnas/core/error.h"
#include "simnas/core/interrupt.h"

namespace simnas {
namespace {

constexpr double kMaxTimeoutSeconds = 30.0 * 24 * 3600;  // no overflow of the clock, however large the ask

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// What the guard reports when the program has exited and everything it left is gone.
struct GuardReport {
  int wait_status = 0;
  int have_status = 0;  // 0: the program's status was not seen (should not happen)
};

// ---- The guard process. It runs between fork and _exit without exec, in a copy of a
// possibly multi-threaded process: only async-signal-safe calls (no allocation) below. ----

void SetSignal(int sig, void (*handler)(int)) {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  ::sigemptyset(&sa.sa_mask);
  ::sigaction(sig, &sa, nullptr);
}

// Closes every descriptor >= 3 except the `n` in `keep` (lock files, databases, other pipes).
void CloseAllExcept(int* keep, int n) {
  std::sort(keep, keep + n);  // no allocation for a handful of ints
  unsigned lo = 3;
  for (int i = 0; i < n; ++i) {
    const unsigned k = static_cast<unsigned>(keep[i]);
    if (k < lo) continue;
    if (k > lo && ::syscall(SYS_close_range, lo, k - 1, 0) != 0) {
      for (unsigned fd = lo; fd < k; ++fd) ::close(static_cast<int>(fd));
    }
    lo = k + 1;
  }
  if (::syscall(SYS_close_range, lo, ~0U, 0) != 0) {
    for (unsigned fd = lo; fd < 65536; ++fd) ::close(static_cast<int>(fd));
  }
}

// Kills the program's group and every process reparented to the guard (it is a child
// subreaper, so all the program's descendants end up here), until none is left.
void KillAndReapAll(pid_t program, GuardReport& report) {
  for (int round = 0; round < 2500; ++round) {  // SIGKILL is quick; give up after ~5 s of stuck processes
    ::kill(-program, SIGKILL);
    const int fd = ::open("/proc/thread-self/children", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      char buf[4096];
      const ssize_t n = ::read(fd, buf, sizeof buf);
      ::close(fd);
      long pid = 0;
      bool in_number = false;
      for (ssize_t i = 0; i <= n; ++i) {
        if (i < n && buf[i] >= '0' && buf[i] <= '9') {
          pid = pid * 10 + (buf[i] - '0');
          in_number = true;
        } else if (in_number) {
          const auto child = static_cast<pid_t>(pid);
          if (::getpgid(child) == child) ::kill(-child, SIGKILL);  // a group it leads (setsid escapees)
          ::kill(child, SIGKILL);
          pid = 0;
          in_number = false;
        }
      }
    }
    while (true) {
      int status = 0;
      const pid_t w = ::waitpid(-1, &status, WNOHANG);
      if (w == program) {
        report.wait_status = status;
        report.have_status = 1;
      }
      if (w > 0) continue;
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return;  // ECHILD: nothing left
      break;
    }
    ::poll(nullptr, 0, 2);
  }
}

[[noreturn]] void GuardMain(char* const* args, int out_w, int err_w, int exec_w, int status_w, int control_r) {
  SetSignal(SIGINT, SIG_IGN);  // simnas decides; it tells the guard through the control pipe
  SetSignal(SIGTERM, SIG_IGN);
  SetSignal(SIGPIPE, SIG_IGN);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  int keep[] = {out_w, err_w, exec_w, status_w, control_r};
  CloseAllExcept(keep, 5);
  const pid_t guard = ::getpid();

  const pid_t program = ::fork();
  if (program == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (::getppid() != guard) ::_exit(127);
    ::setpgid(0, 0);
    for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGXFSZ, SIGHUP, SIGQUIT}) SetSignal(sig, SIG_DFL);
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::dup2(out_w, STDOUT_FILENO);
    ::dup2(err_w, STDERR_FILENO);
    ::execvp(args[0], args);
    const int err = errno;
    [[maybe_unused]] const ssize_t w = ::write(exec_w, &err, sizeof err);
    ::_exit(127);
  }
  if (program < 0) {
    const int err = errno;
    [[maybe_unused]] const ssize_t w = ::write(exec_w, &err, sizeof err);
    ::_exit(127);
  }
  ::setpgid(program, program);
  ::close(out_w);
  ::close(err_w);
  ::close(exec_w);

  GuardReport report;
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, program, 0));
  while (true) {
    pollfd pfd[2] = {{control_r, POLLIN, 0}, {pidfd, POLLIN, 0}};
    const int ready = ::poll(pfd, pidfd >= 0 ? 2 : 1, pidfd >= 0 ? -1 : 5);
    if (ready < 0 && errno != EINTR) break;
    if (ready > 0 && pfd[0].revents != 0) break;  // a kill request, or simnas is gone (EOF)
    int status = 0;
    const pid_t w = ::waitpid(program, &status, WNOHANG);
    if (w == program) {
      report.wait_status = status;
      report.have_status = 1;
      break;
    }
  }
  KillAndReapAll(program, report);
  [[maybe_unused]] const ssize_t w = ::write(status_w, &report, sizeof report);
  ::_exit(0);
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv, double timeout_seconds) {
  ProcessResult result;
  if (argv.empty()) {
    result.error = "empty command";
    return result;
  }
  if (!(timeout_seconds > 0)) timeout_seconds = 0;  // NaN too
  timeout_seconds = std::min(timeout_seconds, kMaxTimeoutSeconds);

  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, exec_pipe[2] = {-1, -1}, status_pipe[2] = {-1, -1},
      control_pipe[2] = {-1, -1};
  const auto fail = [&](const char* what) {
    result.error = std::string(what) + ": " + std::strerror(errno);
    for (int* q : {out_pipe, err_pipe, exec_pipe, status_pipe, control_pipe}) {
      CloseFd(q[0]);
      CloseFd(q[1]);
    }
    return result;
  };
  for (int* p : {out_pipe, err_pipe, exec_pipe, status_pipe, control_pipe}) {
    if (::pipe2(p, O_CLOEXEC) != 0) return fail("pipe");
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  const auto start = std::chrono::steady_clock::now();
  const pid_t guard = ::fork();
  if (guard == 0) GuardMain(args.data(), out_pipe[1], err_pipe[1], exec_pipe[1], status_pipe[1], control_pipe[0]);
  if (guard < 0) return fail("fork");
  CloseFd(out_pipe[1]);
  CloseFd(err_pipe[1]);
  CloseFd(exec_pipe[1]);
  CloseFd(status_pipe[1]);
  CloseFd(control_pipe[0]);

  int exec_errno = 0;
  ssize_t got;
  do {
    got = ::read(exec_pipe[0], &exec_errno, sizeof exec_errno);
  } while (got < 0 && errno == EINTR);
  CloseFd(exec_pipe[0]);
  if (got == static_cast<ssize_t>(sizeof exec_errno)) {
    CloseFd(control_pipe[1]);
    ::waitpid(guard, nullptr, 0);
    for (int fd : {out_pipe[0], err_pipe[0], status_pipe[0]}) ::close(fd);
    result.error = std::string("cannot execute '") + argv[0] + "': " + std::strerror(exec_errno);
    return result;
  }
  result.started = true;

  int fds[3] = {out_pipe[0], err_pipe[0], status_pipe[0]};
  const auto deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                    std::chrono::duration<double>(timeout_seconds));
  std::chrono::steady_clock::time_point drain_deadline{};
  bool kill_sent = false;
  bool status_seen = false;
  GuardReport report;
  std::size_t report_got = 0;
  char buf[65536];
  while (fds[0] >= 0 || fds[1] >= 0 || fds[2] >= 0) {
    const auto now = std::chrono::steady_clock::now();
    if (!kill_sent && !status_seen) {
      if (InterruptRequested()) result.interrupted = true;
      else if (now >= deadline) result.timed_out = true;
      if (result.interrupted || result.timed_out) {
        [[maybe_unused]] const ssize_t w = ::write(control_pipe[1], "k", 1);
        kill_sent = true;
      }
    }
    if (status_seen && now >= drain_deadline) break;  // something outside the guard's reach holds a pipe
    auto wait_for = std::chrono::milliseconds(100);
    if (!kill_sent && !status_seen) {
      wait_for = std::min(wait_for, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) +
                                std::chrono::milliseconds(1));
    }
    pollfd pfd[3];
    int which[3];
    int n = 0;
    for (int i = 0; i < 3; ++i) {
      if (fds[i] >= 0) {
        pfd[n] = {fds[i], POLLIN, 0};
        which[n++] = i;
      }
    }
    const int ready = ::poll(pfd, static_cast<nfds_t>(n), static_cast<int>(std::max<long long>(wait_for.count(), 0)));
    if (ready < 0 && errno != EINTR) break;
    for (int k = 0; k < n && ready > 0; ++k) {
      if (pfd[k].revents == 0) continue;
      const int i = which[k];
      if (i == 2) {
        const ssize_t r = ::read(fds[2], reinterpret_cast<char*>(&report) + report_got, sizeof report - report_got);
        if (r < 0 && errno == EINTR) continue;
        if (r > 0) report_got += static_cast<std::size_t>(r);
        if (r <= 0 || report_got == sizeof report) {
          CloseFd(fds[2]);
          status_seen = true;
          drain_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        }
        continue;
      }
      const ssize_t r = ::read(fds[i], buf, sizeof buf);
      if (r <= 0) {
        if (r < 0 && errno == EINTR) continue;
        CloseFd(fds[i]);
      } else if (i == 0) {
        result.out_bytes += static_cast<std::size_t>(r);
        result.out.append(buf, static_cast<std::size_t>(r));
        if (result.out.size() > 2 * kMaxProcessCapture) result.out.erase(0, result.out.size() - kMaxProcessCapture);
      } else {
        result.err_bytes += static_cast<std::size_t>(r);
        if (result.err.size() < kMaxProcessCapture) {
          result.err.append(buf, std::min(static_cast<std::size_t>(r), kMaxProcessCapture - result.err.size()));
        }
      }
    }
  }
  if (result.out.size() > kMaxProcessCapture) result.out.erase(0, result.out.size() - kMaxProcessCapture);
  for (int& fd : fds) CloseFd(fd);
  CloseFd(control_pipe[1]);  // the guard, if still waiting, kills everything on EOF
  while (::waitpid(guard, nullptr, 0) < 0 && errno == EINTR) {
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!result.timed_out && !result.interrupted) {
    if (report_got == sizeof report && report.have_status) {
      if (WIFEXITED(report.wait_status)) result.exit_code = WEXITSTATUS(report.wait_status);
      if (WIFSIGNALED(report.wait_status)) result.signal = WTERMSIG(report.wait_status);
    } else {
      result.signal = SIGKILL;  // the guard itself was killed: the program's end is unknown
    }
  }
  return result;
}

void RunInChildProcess(const std::function<void()>& work) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw Error(std::string("cannot create a pipe: ") + std::strerror(errno));
  const pid_t child = ::fork();
  if (child < 0) {
    const int e = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw Error(std::string("cannot fork: ") + std::strerror(e));
  }
  if (child == 0) {
    ::close(fds[0]);
    int status = 0;
    std::string message;
    try {
      work();
    } catch (const std::exception& e) {
      message = e.what();
      status = 1;
    } catch (...) {
      message = "unknown error";
      status = 1;
    }
    for (std::size_t done = 0; done < message.size();) {
      const ssize_t n = ::write(fds[1], message.data() + done, message.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    ::_exit(status);  // no atexit handlers or static destructors of the parent's state
  }
  ::close(fds[1]);
  std::string message;
  std::array<char, 4096> buffer{};
  while (true) {
    const ssize_t n = ::read(fds[0], buffer.data(), buffer.size());
    if (n > 0) {
      message.append(buffer.data(), static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  if (!message.empty()) throw Error(message);
  if (WIFSIGNALED(status)) throw Error("the child process was killed by signal " + std::to_string(WTERMSIG(status)));
  throw Error("the child process exited with status " + std::to_string(WEXITSTATUS(status)));
}

}  // namespace simnas
