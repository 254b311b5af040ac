// libFuzzer target for the checkpoint reader (`sweep --resume`): io::SweepCheckpoint::open and
// what a resume then reads and writes.
//
// Structure-aware: a real checkpoint of the shipped sweep is written once; each input is a list
// of edits applied to a copy of it with plain HDF5 calls (a `done` count, an attribute deleted
// or replaced by one of another type, shape or length, a dataset deleted or replaced, a group
// where a dataset belongs, the file truncated), as a damaged disk, a killed run or a hand-edited
// file would leave it. Byte-level mutation of the file would fuzz HDF5's own format parser, which
// HDF5 fuzzes in OSS-Fuzz; what is ours is every decision the reader takes on what it finds.
// The reader may refuse only with io::InputError (one line, exit 2); any other exception, crash
// or sanitizer report is a finding.
#include <fuzzer/FuzzedDataProvider.h>
#include <hdf5.h>
#include <mpi.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "io/hdf5_sweep.hpp"
#include "io/input_error.hpp"
#include "io/input_file.hpp"
#include "io/sweep_reader.hpp"
#include "sweep/layout.hpp"

using namespace rackscope;

namespace {
const std::string source = RACKSCOPE_SOURCE_DIR;
constexpr int64_t kTotal = 16;  // rows of the template checkpoint
const std::string kDigest = "fuzz-checkpoint-digest";

std::unique_ptr<sweep::Spec> spec;
std::unique_ptr<sweep::Layout> layout;
std::string dir, template_path;

const char* const kAttributes[] = {"sweep_sha256", "total", "start_time", "command_line", "resumes"};
const char* const kDatasets[] = {"results", "reasons", "done"};

// An attribute `name` on the file root of a type picked by the input: an integer, a double, a
// string, an integer array or an empty dataspace.
void put_attribute(hid_t file, const char* name, FuzzedDataProvider& in) {
  if (H5Aexists(file, name) > 0) H5Adelete(file, name);
  const int shape = in.ConsumeIntegralInRange(0, 4);
  hid_t space = -1, type = -1;
  std::vector<int64_t> ints;
  std::string text;
  double real = 0;
  const void* data = nullptr;
  if (shape == 3) {
    const hsize_t n = in.ConsumeIntegralInRange<hsize_t>(0, 8);
    space = n ? H5Screate_simple(1, &n, nullptr) : H5Screate(H5S_NULL);
    for (hsize_t i = 0; i < n; ++i) ints.push_back(in.ConsumeIntegral<int64_t>());
    type = H5Tcopy(H5T_NATIVE_INT64);
    data = ints.data();
  } else if (shape == 4) {
    space = H5Screate(H5S_NULL);
    type = H5Tcopy(H5T_NATIVE_INT64);
  } else {
    space = H5Screate(H5S_SCALAR);
    if (shape == 0) {
      ints.push_back(in.ConsumeIntegral<int64_t>());
      type = H5Tcopy(H5T_NATIVE_INT64);
      data = ints.data();
    } else if (shape == 1) {
      real = in.ConsumeFloatingPoint<double>();
      type = H5Tcopy(H5T_NATIVE_DOUBLE);
      data = &real;
    } else {
      text = in.ConsumeRandomLengthString(64);
      if (in.ConsumeBool()) text = kDigest;  // the right digest, so the reader goes on
      type = H5Tcopy(H5T_C_S1);
      H5Tset_size(type, std::max<size_t>(1, text.size()));
      data = text.c_str();
    }
  }
  const hid_t a = H5Acreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  if (a >= 0 && data) H5Awrite(a, type, data);
  if (a >= 0) H5Aclose(a);
  H5Tclose(type);
  H5Sclose(space);
}

// A dataset `name` replaced by: a group, a 1-D integer array, a scalar double, a 2-D array of
// bytes, or 1-D rows of some byte size (the right one or not) and some count.
void put_dataset(hid_t file, const char* name, FuzzedDataProvider& in) {
  if (H5Lexists(file, name, H5P_DEFAULT) > 0) H5Ldelete(file, name, H5P_DEFAULT);
  const int shape = in.ConsumeIntegralInRange(0, 4);
  if (shape == 0) {
    const hid_t g = H5Gcreate2(file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g >= 0) H5Gclose(g);
    return;
  }
  hsize_t dims[2] = {in.ConsumeIntegralInRange<hsize_t>(0, 2 * kTotal), in.ConsumeIntegralInRange<hsize_t>(1, 4)};
  hid_t type = -1, space = -1;
  if (shape == 1) {
    type = H5Tcopy(in.ConsumeBool() ? H5T_NATIVE_INT64 : H5T_NATIVE_INT32);
    space = H5Screate_simple(1, dims, nullptr);
  } else if (shape == 2) {
    type = H5Tcopy(H5T_NATIVE_DOUBLE);
    space = H5Screate(H5S_SCALAR);
  } else if (shape == 3) {
    type = H5Tcopy(H5T_NATIVE_UINT8);
    space = H5Screate_simple(2, dims, nullptr);
  } else {
    const size_t size = in.ConsumeBool() ? layout->row_size() : in.ConsumeIntegralInRange<size_t>(1, 2 * layout->row_size());
    type = H5Tcreate(H5T_COMPOUND, size);
    H5Tinsert(type, "index", 0, H5T_NATIVE_UINT8);
    space = H5Screate_simple(1, dims, nullptr);
  }
  const hid_t d = H5Dcreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (d >= 0) H5Dclose(d);
  H5Tclose(type);
  H5Sclose(space);
}

void set_done(hid_t file, int64_t done) {
  const hid_t d = H5Dopen2(file, "done", H5P_DEFAULT);
  if (d < 0) return;
  // An earlier edit may have made /done an array: one value per element.
  const hid_t space = H5Dget_space(d);
  const hssize_t n = space >= 0 ? H5Sget_simple_extent_npoints(space) : 0;
  if (n > 0) {
    const std::vector<int64_t> values(static_cast<size_t>(n), done);
    H5Dwrite(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  }
  if (space >= 0) H5Sclose(space);
  H5Dclose(d);
}

// Applies the input's edits to the copy at `path`.
void damage(const std::string& path, FuzzedDataProvider& in) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  if (file < 0) return;
  for (int edits = in.ConsumeIntegralInRange(0, 6); edits > 0 && in.remaining_bytes() > 0; --edits) {
    switch (in.ConsumeIntegralInRange(0, 4)) {
      case 0: set_done(file, in.ConsumeBool() ? in.ConsumeIntegralInRange<int64_t>(-2, kTotal + 2) : in.ConsumeIntegral<int64_t>()); break;
      case 1: H5Adelete(file, in.PickValueInArray(kAttributes)); break;
      case 2: put_attribute(file, in.PickValueInArray(kAttributes), in); break;
      case 3: H5Ldelete(file, in.PickValueInArray(kDatasets), H5P_DEFAULT); break;
      case 4: put_dataset(file, in.PickValueInArray(kDatasets), in); break;
    }
  }
  H5Fclose(file);
  if (in.ConsumeIntegralInRange(0, 7) == 0) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec) std::filesystem::resize_file(path, size * in.ConsumeIntegralInRange<uint64_t>(0, 99) / 100, ec);
  }
}
// After a failed call the handles leave their files open on purpose (hdf5_handles.hpp: a real run
// then ends); the fuzzer goes on, so each run closes what is still open (safe on one rank).
void close_everything() {
  const ssize_t n = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
  if (n <= 0) return;
  std::vector<hid_t> ids(static_cast<size_t>(n));
  H5Fget_obj_ids(H5F_OBJ_ALL, H5F_OBJ_ALL, ids.size(), ids.data());
  for (hid_t id : ids) {
    switch (H5Iget_type(id)) {
      case H5I_ATTR: H5Aclose(id); break;
      case H5I_DATASET: case H5I_GROUP: case H5I_DATATYPE: H5Oclose(id); break;
      default: break;
    }
  }
  for (hid_t id : ids)
    if (H5Iget_type(id) == H5I_FILE) H5Fclose(id);
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  MPI_Init(argc, argv);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  io::InputFiles files;
  spec = std::make_unique<sweep::Spec>(io::read_sweep(source + "/workloads/sweeps/cowos-vs-emib.toml", files));
  layout = std::make_unique<sweep::Layout>(*spec);
  dir = std::filesystem::temp_directory_path() / ("rackscope-fuzz-checkpoint-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  template_path = dir + "/template.partial";
  io::SweepMeta meta;
  meta.start_time = "2026-01-01T00:00:00Z";
  meta.command_line = "rackscope sweep spec.toml -o out.h5";
  auto ck = io::SweepCheckpoint::create(template_path, *layout, kTotal, kDigest, meta);
  std::vector<uint8_t> rows(static_cast<size_t>(kTotal / 2) * layout->row_size(), 7);
  ck->write({{0, kTotal / 2}}, rows, kTotal / 2);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A fresh name each time: after a failed read HDF5 may keep a file open (hdf5_handles.hpp).
  static uint64_t runs = 0;
  const std::string path = dir + "/" + std::to_string(runs++) + ".partial";
  std::filesystem::copy_file(template_path, path, std::filesystem::copy_options::overwrite_existing);
  FuzzedDataProvider in(data, size);
  damage(path, in);
  try {
    if (auto ck = io::SweepCheckpoint::open(path, *layout, kTotal, kDigest)) {
      ck->read(0, ck->done());
      ck->start_time();
      ck->resumes();
      ck->count_resume();
    }
  } catch (const io::InputError&) {
    // The expected refusal: one line naming the file and what is wrong with it.
  }
  close_everything();
  std::filesystem::remove(path);
  return 0;
}
