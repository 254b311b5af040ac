#pragma once
// A job ended from outside still says why, in one line, even under `mpirun -q`. When a rank dies
// (killed, crashed) Open MPI ends the others with SIGTERM; so do a cancelled batch job and Ctrl-C.
// Each rank catches SIGTERM, SIGINT and SIGHUP and exits; one of them first writes
//   rackscope: stopped by SIGTERM: a rank died or the job was stopped[; NOTE]
// to stderr: rank 0, or, when rank 0 is gone, the lowest rank still alive on rank 0's host. (A
// rank on another host cannot see rank 0, so it stays silent: one line, never one per rank.)

#include <string>

namespace rackscope::dist {

// Collective (every rank's pid and host are exchanged): installs the handlers. Called by Session.
void install_stop_report(int rank, int size);
// What the line adds after the cause (for a sweep: where its checkpoint is and how to resume).
// Not collective; the text is copied now, as a signal handler may only write prepared bytes.
void set_stop_note(const std::string& note);
// The run is ending on its own (an agreed failure, whose line rank 0 prints, or the end):
// Open MPI may still SIGTERM a rank slower to exit than one that returned non-zero, and that
// must not add a second line.
void quiet_stop_report();

}  // namespace rackscope::dist
