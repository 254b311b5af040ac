#pragma once
// RAII for HDF5 identifiers and the few typed helpers the sweep files need. Only src/io/hdf5*.cpp
// include this (and so <hdf5.h>). Every failing call throws std::runtime_error naming it; the
// library's own error printing is switched off so a failure is one line.
//
// Calls on a file are collective, and a write can fail on one rank only (a full disk seen by the
// rank that writes the metadata). Each such call is therefore followed by agree(): every rank
// learns whether any rank failed, and all throw the same Failure at the same call, so no rank
// goes on into the next collective call while another has left for its error path.
#include <hdf5.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace rackscope::io::hdf5 {

// A failed call on a file, agreed by every rank: the lowest failing rank's description, with the
// system's reason when there is one ("rows write failed: No space left on device").
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Collective: each rank's outcome of the same collective call; throws Failure on every rank
// when any rank failed.
void agree(bool ok, const char* what);
// After an agreed failure HDF5 may hold a file whose close is no longer collective-safe (its
// ranks' metadata caches disagree: closing hangs, rank 0 in one barrier and rank 1 in another).
// From then on no handle is closed: the process ends without HDF5's teardown (see unusable()).
bool unusable();
inline void agreed(herr_t rc, const char* what) { agree(rc >= 0, what); }

class Id {
 public:
  struct Collective {};
  Id() = default;
  // A handle from a call only this rank makes (property lists, types, dataspaces): a failure
  // throws here.
  Id(hid_t id, herr_t (*close)(hid_t), const char* what);
  // A handle from a collective call on a file (create, open, dataset, group, attribute): agreed.
  Id(Collective, hid_t id, herr_t (*close)(hid_t), const char* what);
  ~Id() { reset(); }
  Id(Id&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = H5I_INVALID_HID; }
  Id& operator=(Id&& o) noexcept;
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }
  void reset();

 private:
  hid_t id_ = H5I_INVALID_HID;
  herr_t (*close_)(hid_t) = nullptr;
};

void check(herr_t rc, const char* what);
void silence_library_errors();

// A fixed-length string type of `size` bytes (at least 1).
Id string_type(size_t size);
// File access over MPI_COMM_WORLD; transfer property for collective raw-data I/O.
Id mpi_file_access();
Id collective_transfer();
// The same collective call (every rank takes part, failures agreed), each rank reading or writing
// its own rows directly: for the checkpoint's contiguous, unfiltered rows, where each rank's rows
// are a few long runs. Two-phase collective I/O gathered them to one aggregator on one node,
// which then copied the whole interval alone while the other ranks waited.
Id individual_io_transfer();

// Attributes (collective in parallel HDF5: every rank calls with the same value).
void attr(hid_t obj, const std::string& name, const std::string& value);
void attr(hid_t obj, const std::string& name, const std::vector<std::string>& values);
void attr(hid_t obj, const std::string& name, int64_t value);
std::string read_string_attr(hid_t obj, const std::string& name);
int64_t read_int_attr(hid_t obj, const std::string& name);

// A 1-D dataset written whole by rank 0 (the other ranks create it with it, collectively, and
// write nothing).
void small_dataset(hid_t parent, const std::string& name, hid_t type, size_t count, const void* data, bool writer);
void string_dataset(hid_t parent, const std::string& name, const std::vector<std::string>& values, bool writer);

}  // namespace rackscope::io::hdf5
