#include "io/hdf5_handles.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace rackscope::io::hdf5 {

Id::Id(hid_t id, herr_t (*close)(hid_t), const char* what) : id_(id), close_(close) {
  if (id < 0) throw std::runtime_error(std::string("HDF5: ") + what + " failed");
}

Id::Id(Collective, hid_t id, herr_t (*close)(hid_t), const char* what) : id_(id), close_(close) {
  try {
    agree(id >= 0, what);
  } catch (...) {
    // Failed elsewhere: a dataset or attribute is closed here (a local call), a file is left
    // open, as closing it is collective and the ranks where it failed would not join.
    id_ = H5I_INVALID_HID;
    if (id >= 0 && close != H5Fclose) close(id);
    throw;
  }
}

namespace {
bool failed_once = false;
}  // namespace

bool unusable() { return failed_once; }

void agree(bool ok, const char* what) {
  const int err = errno;
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int candidate = ok ? size : rank, first = size;
  MPI_Allreduce(&candidate, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  errno = 0;  // the next call's reason is its own
  if (first == size) return;
  failed_once = true;
  std::string why = std::string(what) + " failed";
  // The system's reason where it is one of these (errno is not always the failing call's own).
  if (!ok && (err == ENOSPC || err == EDQUOT || err == EROFS || err == EACCES || err == EPERM || err == EIO || err == EFBIG))
    why += std::string(": ") + std::strerror(err);
  // The lowest failing rank's words, on every rank.
  int n = static_cast<int>(why.size());
  MPI_Bcast(&n, 1, MPI_INT, first, MPI_COMM_WORLD);
  why.resize(static_cast<size_t>(n));
  MPI_Bcast(why.data(), n, MPI_CHAR, first, MPI_COMM_WORLD);
  throw Failure(why);
}

Id& Id::operator=(Id&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = o.id_;
    close_ = o.close_;
    o.id_ = H5I_INVALID_HID;
  }
  return *this;
}

void Id::reset() {
  if (id_ >= 0 && close_ && !failed_once) close_(id_);
  id_ = H5I_INVALID_HID;
}

void check(herr_t rc, const char* what) {
  if (rc < 0) throw std::runtime_error(std::string("HDF5: ") + what + " failed");
}

void silence_library_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

Id string_type(size_t size) {
  Id t(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
  check(H5Tset_size(t, std::max<size_t>(1, size)), "string size");
  check(H5Tset_strpad(t, H5T_STR_NULLPAD), "string padding");
  return t;
}

Id mpi_file_access() {
  Id p(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "file access list");
  check(H5Pset_fapl_mpio(p, MPI_COMM_WORLD, MPI_INFO_NULL), "MPI-IO driver");
  // Object creation and attribute writes are collective already; reading metadata collectively
  // keeps every rank from hitting the file for it.
  check(H5Pset_all_coll_metadata_ops(p, true), "collective metadata reads");
  check(H5Pset_coll_metadata_write(p, true), "collective metadata writes");
  return p;
}

Id collective_transfer() {
  Id p(H5Pcreate(H5P_DATASET_XFER), H5Pclose, "transfer list");
  check(H5Pset_dxpl_mpio(p, H5FD_MPIO_COLLECTIVE), "collective transfer");
  return p;
}

Id individual_io_transfer() {
  Id p = collective_transfer();
  check(H5Pset_dxpl_mpio_collective_opt(p, H5FD_MPIO_INDIVIDUAL_IO), "individual I/O under a collective call");
  return p;
}

void attr(hid_t obj, const std::string& name, const std::string& value) {
  Id t = string_type(value.size());
  Id s(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
  Id a(Id::Collective{}, H5Acreate2(obj, name.c_str(), t, s, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, "attribute create");
  agreed(H5Awrite(a, t, value.empty() ? "" : value.data()), "attribute write");
}

void attr(hid_t obj, const std::string& name, const std::vector<std::string>& values) {
  size_t width = 1;
  for (const auto& v : values) width = std::max(width, v.size());
  std::string buf(width * values.size(), '\0');
  for (size_t i = 0; i < values.size(); ++i) std::copy(values[i].begin(), values[i].end(), buf.begin() + i * width);
  Id t = string_type(width);
  const hsize_t n = values.size();
  Id s(H5Screate_simple(1, &n, nullptr), H5Sclose, "attribute space");
  Id a(Id::Collective{}, H5Acreate2(obj, name.c_str(), t, s, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, "attribute create");
  agreed(H5Awrite(a, t, buf.data()), "attribute write");
}

void attr(hid_t obj, const std::string& name, int64_t value) {
  Id s(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
  Id a(Id::Collective{}, H5Acreate2(obj, name.c_str(), H5T_NATIVE_INT64, s, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, "attribute create");
  agreed(H5Awrite(a, H5T_NATIVE_INT64, &value), "attribute write");
}

namespace {
// An attribute read into one value must hold one value of that class: a file from elsewhere (a
// damaged checkpoint) may hold an array, which H5Aread would write past the value.
void expect_one(hid_t a, H5T_class_t kind, const std::string& name, const char* what) {
  Id space(H5Aget_space(a), H5Sclose, "attribute space");
  Id type(H5Aget_type(a), H5Tclose, "attribute type");
  if (H5Sget_simple_extent_npoints(space) != 1 || H5Tget_class(type) != kind)
    throw std::runtime_error("attribute " + name + " is not " + what);
}
}  // namespace

std::string read_string_attr(hid_t obj, const std::string& name) {
  Id a(Id::Collective{}, H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose, "attribute open");
  expect_one(a, H5T_STRING, name, "one string");
  Id ft(H5Aget_type(a), H5Tclose, "attribute type");
  const size_t size = H5Tget_size(ft);
  std::string out(size, '\0');
  Id t = string_type(size);
  agreed(H5Aread(a, t, out.data()), "attribute read");
  out.resize(out.find('\0') == std::string::npos ? size : out.find('\0'));
  return out;
}

int64_t read_int_attr(hid_t obj, const std::string& name) {
  Id a(Id::Collective{}, H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose, "attribute open");
  expect_one(a, H5T_INTEGER, name, "one integer");
  int64_t v = 0;
  agreed(H5Aread(a, H5T_NATIVE_INT64, &v), "attribute read");
  return v;
}

void small_dataset(hid_t parent, const std::string& name, hid_t type, size_t count, const void* data, bool writer) {
  const hsize_t n = count;
  Id s(H5Screate_simple(1, &n, nullptr), H5Sclose, "dataspace");
  Id d(Id::Collective{}, H5Dcreate2(parent, name.c_str(), type, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose, "dataset create");
  if (count == 0) return;
  Id sel(H5Scopy(s), H5Sclose, "selection");
  if (!writer) check(H5Sselect_none(sel), "empty selection");
  Id mem(H5Screate_simple(1, &n, nullptr), H5Sclose, "memory space");
  if (!writer) check(H5Sselect_none(mem), "empty selection");
  Id x = collective_transfer();
  agreed(H5Dwrite(d, type, mem, sel, x, data), "dataset write");
}

void string_dataset(hid_t parent, const std::string& name, const std::vector<std::string>& values, bool writer) {
  size_t width = 1;
  for (const auto& v : values) width = std::max(width, v.size());
  std::string buf(width * values.size(), '\0');
  for (size_t i = 0; i < values.size(); ++i) std::copy(values[i].begin(), values[i].end(), buf.begin() + i * width);
  Id t = string_type(width);
  small_dataset(parent, name, t, values.size(), buf.data(), writer);
}

}  // namespace rackscope::io::hdf5
