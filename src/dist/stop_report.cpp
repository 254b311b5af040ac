#include "dist/stop_report.hpp"

#include <mpi.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

namespace rackscope::dist {
namespace {

// Prepared before any signal: the handler only reads these.
char note[1024] = "";
// Pids of ranks 0..rank-1 on rank 0's host, lowest first. Never freed: a signal can arrive while
// the process ends normally, after static destructors would have freed a plain global (an
// ASan heap-use-after-free seen when mpirun stopped the ranks of a failed sweep).
std::vector<pid_t>& lower_on_root_host = *new std::vector<pid_t>;
bool eligible = false;                  // rank 0, or a rank on rank 0's host
int report_fd = STDERR_FILENO;          // stderr as it was at start (the HDF5 layer quiets fd 2 at times)
std::atomic<bool> stopping{false};
std::atomic<bool> quiet{false};

// Whether process `pid` is alive: its /proc entry exists and it is not a zombie (a killed rank
// its launcher has not reaped yet). Async-signal-safe: open, read, close only.
bool alive(pid_t pid) {
  char path[64] = "/proc/";
  char digits[24];
  int n = 0;
  for (pid_t p = pid; p > 0; p /= 10) digits[n++] = static_cast<char>('0' + p % 10);
  size_t at = std::strlen(path);
  while (n > 0) path[at++] = digits[--n];
  std::memcpy(path + at, "/stat", 6);
  const int fd = open(path, O_RDONLY);
  if (fd < 0) return false;
  char buf[256];
  const ssize_t got = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (got <= 0) return false;
  buf[got] = '\0';
  const char* paren = std::strrchr(buf, ')');  // "pid (name) S ..."
  return !(paren && paren[1] == ' ' && paren[2] == 'Z');
}

void write_all(const char* s) {
  size_t len = std::strlen(s);
  while (len > 0) {
    const ssize_t w = write(report_fd, s, len);
    if (w <= 0) return;
    s += w;
    len -= static_cast<size_t>(w);
  }
}

void on_stop(int sig) {
  if (stopping.exchange(true)) _exit(128 + sig);
  bool report = eligible && !quiet.load();
  if (report)
    for (pid_t p : lower_on_root_host) report = report && !alive(p);
  if (report) {
    write_all("rackscope: stopped by ");
    write_all(sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "SIGHUP");
    write_all(": a rank died or the job was stopped");
    if (note[0]) {
      write_all("; ");
      write_all(note);
    }
    write_all("\n");
  }
  _exit(128 + sig);
}

}  // namespace

void install_stop_report(int rank, int size) {
  char host[256] = "";
  gethostname(host, sizeof host - 1);
  std::vector<char> hosts(static_cast<size_t>(size) * sizeof host);
  std::vector<int> pids(static_cast<size_t>(size));
  const int me = static_cast<int>(getpid());
  MPI_Allgather(host, sizeof host, MPI_CHAR, hosts.data(), sizeof host, MPI_CHAR, MPI_COMM_WORLD);
  MPI_Allgather(&me, 1, MPI_INT, pids.data(), 1, MPI_INT, MPI_COMM_WORLD);
  const char* root_host = hosts.data();
  eligible = rank == 0 || std::strcmp(host, root_host) == 0;
  lower_on_root_host.clear();
  for (int r = 0; r < rank; ++r)
    if (std::strcmp(hosts.data() + static_cast<size_t>(r) * sizeof host, root_host) == 0) lower_on_root_host.push_back(pids[r]);
  const int fd = dup(STDERR_FILENO);
  if (fd >= 0) report_fd = fd;
  struct sigaction sa {};
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaction(sig, &sa, nullptr);
}

void quiet_stop_report() { quiet = true; }

void set_stop_note(const std::string& text) {
  const size_t n = std::min(text.size(), sizeof note - 1);
  std::memcpy(note, text.data(), n);
  note[n] = '\0';
}

}  // namespace rackscope::dist
