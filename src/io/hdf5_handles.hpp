#pragma once
// RAII for HDF5 identifiers and the few typed helpers the sweep files need. Only src/io/hdf5*.cpp
// include this (and so <hdf5.h>). Every failing call throws std::runtime_error naming it; the
// library's own error printing is switched off so a failure is one line.
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rackscope::io::hdf5 {

class Id {
 public:
  Id() = default;
  Id(hid_t id, herr_t (*close)(hid_t), const char* what);
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
