#include "io/hdf5_sweep.hpp"

#include <fmt/format.h>

#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <filesystem>

#include "io/hdf5_handles.hpp"
#include "io/input_error.hpp"
#include "io/read_text.hpp"
#include "sweep/reasons.hpp"
#include "sweep/refused.hpp"
#include "sweep/sha256.hpp"
#include "units/check.hpp"
#include "units/quantity.hpp"

namespace rackscope::io {
using namespace hdf5;
using sweep::Layout;
using sweep::Type;

namespace {
// Runs a step on the file at `path`, turning an agreed HDF5 failure (every rank throws it at the
// same call) into the one-line error: the file, what failed and the system's reason.
//
// Open MPI's MPI-IO (OMPIO) prints its own line to stderr when a write fails ("mca_fbtl_posix_
// pwritev: error in (p)write(v): No space left on device"), as HDF5 would without
// silence_library_errors(): stderr points to /dev/null while the step runs, so the failure
// reaches the user as rackscope's one line only. (A SIGTERM's report has its own descriptor.)
class QuietStderr {
 public:
  QuietStderr() : saved_(dup(STDERR_FILENO)) {
    const int null = ::open("/dev/null", O_WRONLY);
    if (saved_ >= 0 && null >= 0) dup2(null, STDERR_FILENO);
    if (null >= 0) ::close(null);
  }
  ~QuietStderr() {
    if (saved_ < 0) return;
    dup2(saved_, STDERR_FILENO);
    ::close(saved_);
  }
  QuietStderr(const QuietStderr&) = delete;
  QuietStderr& operator=(const QuietStderr&) = delete;

 private:
  int saved_;
};

template <class F>
auto on_file(const std::string& path, const char* doing, F&& f) {
  try {
    QuietStderr quiet;
    return f();
  } catch (const hdf5::Failure& e) {
    // MPI-IO does not pass the system's reason on; the free space says whether it was a full disk.
    std::error_code ec;
    const auto space = std::filesystem::space(std::filesystem::path(path).parent_path().empty() ? "." : std::filesystem::path(path).parent_path(), ec);
    const std::string room = ec ? std::string() : fmt::format(" ({} free on its file system)", units::format_bytes(static_cast<double>(space.available)));
    throw InputError({path, 0}, "", fmt::format("cannot {}: {}{}", doing, e.what(), room),
                     "a path for -o on a file system with room for the results and write permission");
  }
}

int rank_of_world() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

Id reason_type() {
  Id t(H5Tenum_create(H5T_NATIVE_UINT8), H5Tclose, "enum type");
  const auto& names = sweep::reason_names();
  for (size_t i = 0; i < names.size(); ++i) {
    const uint8_t v = static_cast<uint8_t>(i);
    check(H5Tenum_insert(t, names[i].c_str(), &v), "enum member");
  }
  return t;
}

// A compound type of `columns` at their offsets, packed in `size` bytes: the /results row
// (the layout's columns) or the /refused row (sweep::refused_columns()).
Id compound_type(const std::vector<sweep::Column>& columns, size_t size) {
  Id t(H5Tcreate(H5T_COMPOUND, size), H5Tclose, "compound type");
  Id reason = reason_type();
  for (const auto& c : columns) {
    hid_t member = H5T_NATIVE_DOUBLE;
    switch (c.type) {
      case Type::u8: member = H5T_NATIVE_UINT8; break;
      case Type::u32: member = H5T_NATIVE_UINT32; break;
      case Type::i64: member = H5T_NATIVE_INT64; break;
      case Type::u64: member = H5T_NATIVE_UINT64; break;
      case Type::f64: member = H5T_NATIVE_DOUBLE; break;
      case Type::reason: member = reason; break;
    }
    check(H5Tinsert(t, c.name.c_str(), c.offset, member), "compound member");
  }
  return t;
}

Id row_type(const Layout& layout) { return compound_type(layout.columns(), layout.row_size()); }

void column_attrs(hid_t ds, const std::vector<sweep::Column>& columns) {
  std::vector<std::string> names, units, descriptions;
  for (const auto& c : columns) {
    names.push_back(c.name);
    units.push_back(c.units);
    descriptions.push_back(c.description);
  }
  attr(ds, "columns", names);
  attr(ds, "units", units);
  attr(ds, "descriptions", descriptions);
}

// Selects rows [first, last) of a 1-D space (nothing when empty).
void select_rows(hid_t space, int64_t first, int64_t last) {
  if (last <= first) {
    check(H5Sselect_none(space), "empty selection");
    return;
  }
  const hsize_t start = static_cast<hsize_t>(first), count = static_cast<hsize_t>(last - first);
  check(H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, nullptr, &count, nullptr), "row selection");
}

Id memory_space(int64_t rows) {
  const hsize_t n = static_cast<hsize_t>(std::max<int64_t>(rows, 1));
  Id s(H5Screate_simple(1, &n, nullptr), H5Sclose, "memory space");
  if (rows == 0) check(H5Sselect_none(s), "empty selection");
  return s;
}

// Rows `at` (ascending) of `space`, or none.
void select_points(hid_t space, const std::vector<hsize_t>& at) {
  if (at.empty())
    check(H5Sselect_none(space), "empty selection");
  else
    check(H5Sselect_elements(space, H5S_SELECT_SET, at.size(), at.data()), "point selection");
}

// The checkpoint's feasible rows: row memory_at[i] of `buffer` (`n` rows) is row file_at[i] of
// /results. Each rank's own I/O under the collective call; a rank with none passes empty lists.
void feasible_rows_io(const SweepCheckpoint::Impl& im, int64_t n, uint8_t* buffer, bool write);

void write_rows(hid_t ds, hid_t type, const Runs& runs, const uint8_t* rows, bool individual_io = false) {
  Id file_space(H5Dget_space(ds), H5Sclose, "dataspace");
  check(H5Sselect_none(file_space), "empty selection");
  int64_t n = 0;
  for (const auto& [first, last] : runs) {
    if (last <= first) continue;
    const hsize_t start = static_cast<hsize_t>(first), count = static_cast<hsize_t>(last - first);
    check(H5Sselect_hyperslab(file_space, H5S_SELECT_OR, &start, nullptr, &count, nullptr), "row selection");
    n += last - first;
  }
  Id mem = memory_space(n);
  Id x = individual_io ? individual_io_transfer() : collective_transfer();
  static const uint8_t none = 0;
  agreed(H5Dwrite(ds, type, mem, file_space, x, n ? rows : &none), "rows write");
}

void write_scalar(hid_t ds, hid_t type, const void* value, bool writer) {
  Id file_space(H5Dget_space(ds), H5Sclose, "dataspace");
  Id mem(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
  if (!writer) {
    check(H5Sselect_none(file_space), "empty selection");
    check(H5Sselect_none(mem), "empty selection");
  }
  Id x = collective_transfer();
  agreed(H5Dwrite(ds, type, mem, file_space, x, value), "scalar write");
}
// The one line for a checkpoint that is damaged: what is wrong with it.
[[noreturn]] void damaged(const std::string& path, const std::string& valid, const std::string& what) {
  throw InputError({path, 0}, "", "is a damaged checkpoint: " + what, valid);
}

// A local HDF5 call that fails on a checkpoint's contents (a group where a dataset belongs, an
// attribute of another type or shape) is damage: the one-line input error, whatever the call.
// (Every rank reads the same file, so every rank throws the same.)
template <class F>
auto as_damage(const std::string& path, const std::string& valid, F&& f) {
  try {
    return f();
  } catch (const Failure&) {
    throw;  // agreed by every rank: on_file() names it
  } catch (const InputError&) {
    throw;
  } catch (const std::runtime_error& e) {
    damaged(path, valid, e.what());
  }
}

// A checkpoint whole in itself, before asking whose it is (so damage is named as damage): the
// attributes, /results as `total` rows (its own `total`), /done one integer within 0 to `total`.
// Returns {total, done}.
std::pair<int64_t, int64_t> check_whole(hid_t file, const std::string& path, const std::string& valid) {
  auto wrong = [&](const std::string& what) { damaged(path, valid, what); };
  for (const char* a : {"total", "start_time", "command_line", "resumes"})
    if (H5Aexists(file, a) <= 0) wrong(std::string("attribute ") + a + " missing");
  for (const char* d : {"results", "reasons", "done"})
    if (H5Lexists(file, d, H5P_DEFAULT) <= 0) wrong(std::string("dataset /") + d + " missing");
  const int64_t total = read_int_attr(file, "total");
  // Read later by a resume: each one value of its type.
  read_string_attr(file, "start_time");
  read_string_attr(file, "command_line");
  // A count a resume adds one to (beyond a billion resumes it can only be damage).
  const int64_t resumes = read_int_attr(file, "resumes");
  if (resumes < 0 || resumes > 1'000'000'000) wrong(fmt::format("resumes = {} is not a count of resumes", resumes));
  Id results(H5Dopen2(file, "results", H5P_DEFAULT), H5Dclose, "results open");
  Id space(H5Dget_space(results), H5Sclose, "dataspace");
  hsize_t rows = 0;
  if (H5Sget_simple_extent_ndims(space) != 1 || H5Sget_simple_extent_dims(space, &rows, nullptr) != 1 ||
      rows != static_cast<hsize_t>(total))
    wrong(fmt::format("/results is not {} rows", total));
  Id reasons(H5Dopen2(file, "reasons", H5P_DEFAULT), H5Dclose, "reasons open");
  Id reasons_space(H5Dget_space(reasons), H5Sclose, "dataspace");
  Id reasons_type(H5Dget_type(reasons), H5Tclose, "dataset type");
  if (H5Sget_simple_extent_ndims(reasons_space) != 1 || H5Sget_simple_extent_dims(reasons_space, &rows, nullptr) != 1 ||
      rows != static_cast<hsize_t>(total) || H5Tget_class(reasons_type) != H5T_INTEGER || H5Tget_size(reasons_type) != 1)
    wrong(fmt::format("/reasons is not {} one-byte codes", total));
  Id done_set(H5Dopen2(file, "done", H5P_DEFAULT), H5Dclose, "done open");
  Id done_space(H5Dget_space(done_set), H5Sclose, "dataspace");
  Id done_type(H5Dget_type(done_set), H5Tclose, "dataset type");
  if (H5Sget_simple_extent_type(done_space) != H5S_SCALAR || H5Tget_class(done_type) != H5T_INTEGER) wrong("/done is not one integer");
  int64_t done = 0;
  Id x = collective_transfer();
  check(H5Dread(done_set, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, x, &done), "done read");
  // A count outside [0, total] would resume at rows never computed (or before the first).
  if (done < 0 || done > total) wrong(fmt::format("done = {} is outside 0 to {}", done, total));
  return {total, done};
}

}  // namespace

bool sweep_files_unusable() { return hdf5::unusable(); }

// ---- checkpoint ----

static void lay_out_checkpoint(SweepCheckpoint::Impl& i, const Layout& layout, int64_t total, const std::string& digest,
                               const SweepMeta& meta);

// The checkpoint keeps every configuration's reason code (/reasons, one byte) and the whole row of
// the feasible ones only (/results, at the configuration's index; a refused one's row is never
// written, so the file stays sparse there): over nine in ten configurations of a large search are
// refused, and writing their rows was most of a checkpoint interval's I/O (1 GB of the 1.03 GB
// written for benchmarks/bench_gpt3_space.toml). A row read back for a refused configuration has
// its index and reason columns only, all that the assembly keeps of it (/refused).
struct SweepCheckpoint::Impl {
  std::string path;
  Id file, results, reasons, done;
  Id type;
  size_t row_size = 0, index_offset = 0, reason_offset = 0;
  std::vector<uint8_t> codes;       // reused: one interval's or block's reason codes
  std::vector<hsize_t> file_at, memory_at;  // reused: its feasible rows in the file and the buffer

  void adopt(const Layout& layout) {
    const sweep::Column* index = layout.find("index");
    const sweep::Column* reason = layout.find("reason");
    RACKSCOPE_ASSERT(index && index->type == sweep::Type::u64 && reason && reason->type == sweep::Type::reason,
                     "the layout has index and reason columns");
    type = row_type(layout);
    row_size = layout.row_size();
    index_offset = index->offset;
    reason_offset = reason->offset;
  }
};

SweepCheckpoint::SweepCheckpoint(std::unique_ptr<Impl> impl, int64_t done) : impl_(std::move(impl)), done_(done) {}
SweepCheckpoint::~SweepCheckpoint() = default;

std::unique_ptr<SweepCheckpoint> SweepCheckpoint::create(const std::string& path, const Layout& layout, int64_t total,
                                                         const std::string& digest, const SweepMeta& meta) {
  silence_library_errors();
  auto im = std::make_unique<Impl>();
  Id fapl = mpi_file_access();
  try {
    im->file = Id(Id::Collective{}, H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose, "file create");
  } catch (const Failure&) {
    throw InputError({path, 0}, "", "cannot create the checkpoint file", "a writable path for -o");
  }
  im->path = path;
  on_file(path, "write the checkpoint", [&] { lay_out_checkpoint(*im, layout, total, digest, meta); });
  return std::unique_ptr<SweepCheckpoint>(new SweepCheckpoint(std::move(im), 0));
}

// The checkpoint's datasets and attributes, in a file just created.
static void lay_out_checkpoint(SweepCheckpoint::Impl& i, const Layout& layout, int64_t total, const std::string& digest, const SweepMeta& meta) {
  i.adopt(layout);
  // Contiguous and allocated now: later writes change raw bytes only, never the file's metadata.
  Id dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "creation list");
  check(H5Pset_layout(dcpl, H5D_CONTIGUOUS), "contiguous layout");
  check(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY), "early allocation");
  check(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER), "no fill");
  const hsize_t n = static_cast<hsize_t>(total);
  Id space(H5Screate_simple(1, &n, nullptr), H5Sclose, "dataspace");
  i.results = Id(Id::Collective{}, H5Dcreate2(i.file, "results", i.type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), H5Dclose, "results create");
  i.reasons = Id(Id::Collective{}, H5Dcreate2(i.file, "reasons", H5T_NATIVE_UINT8, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), H5Dclose, "reasons create");
  Id scalar(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
  i.done = Id(Id::Collective{}, H5Dcreate2(i.file, "done", H5T_NATIVE_INT64, scalar, H5P_DEFAULT, dcpl, H5P_DEFAULT), H5Dclose, "done create");
  const int64_t zero = 0;
  write_scalar(i.done, H5T_NATIVE_INT64, &zero, rank_of_world() == 0);
  attr(i.file, "sweep_sha256", digest);
  attr(i.file, "total", total);
  attr(i.file, "start_time", meta.start_time);
  attr(i.file, "command_line", meta.command_line);
  attr(i.file, "resumes", int64_t{0});
  agreed(H5Fflush(i.file, H5F_SCOPE_GLOBAL), "flush");
}

std::unique_ptr<SweepCheckpoint> SweepCheckpoint::open(const std::string& path, const Layout& layout, int64_t total,
                                                       const std::string& digest) {
  silence_library_errors();
  if (!std::filesystem::exists(path)) return nullptr;
  const std::string valid = "the checkpoint of a killed run of the same sweep and inputs, or run without --resume";
  // A FIFO or device would block or never end in H5Fopen: regular files only, like every input.
  if (auto why = unreadable_input(path); why && !why->empty()) throw InputError({path, 0}, "", "cannot resume from it: " + *why, valid);
  auto im = std::make_unique<Impl>();
  Id fapl = mpi_file_access();
  try {
    im->file = Id(Id::Collective{}, H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl), H5Fclose, "file open");
  } catch (const Failure&) {
    throw InputError({path, 0}, "", "cannot open the checkpoint to resume", valid);
  }
  im->path = path;
  int64_t done = 0;
  on_file(path, "read the checkpoint", [&] { as_damage(path, valid, [&] {
    if (H5Aexists(im->file, "sweep_sha256") <= 0) throw InputError({path, 0}, "", "is not a sweep checkpoint", valid);
    const auto [own_total, own_done] = check_whole(im->file, path, valid);
    done = own_done;
    if (read_string_attr(im->file, "sweep_sha256") != digest || own_total != total)
      throw InputError({path, 0}, "", "was written by a different sweep spec or different inputs", valid);
    im->adopt(layout);
    im->results = Id(Id::Collective{}, H5Dopen2(im->file, "results", H5P_DEFAULT), H5Dclose, "results open");
    im->reasons = Id(Id::Collective{}, H5Dopen2(im->file, "reasons", H5P_DEFAULT), H5Dclose, "reasons open");
    im->done = Id(Id::Collective{}, H5Dopen2(im->file, "done", H5P_DEFAULT), H5Dclose, "done open");
    Id type(H5Dget_type(im->results), H5Tclose, "dataset type");
    if (H5Tget_class(type) != H5T_COMPOUND || H5Tget_size(type) != im->row_size)
      damaged(path, valid, fmt::format("/results rows are not {} bytes", im->row_size));
    // Same size is not enough: HDF5 reads compound rows member by member, by name, and would
    // leave a column the file lacks as it was.
    if (H5Tequal(type, im->type) <= 0)
      damaged(path, valid, "/results rows do not have this sweep's columns");
  }); });
  return std::unique_ptr<SweepCheckpoint>(new SweepCheckpoint(std::move(im), done));
}

std::string SweepCheckpoint::start_time() const {
  return on_file(impl_->path, "read the checkpoint", [&] { return read_string_attr(impl_->file, "start_time"); });
}
int64_t SweepCheckpoint::resumes() const {
  return on_file(impl_->path, "read the checkpoint", [&] { return read_int_attr(impl_->file, "resumes"); });
}

void SweepCheckpoint::count_resume() {
  const int64_t n = resumes() + 1;
  on_file(impl_->path, "write the checkpoint", [&] {
    Id a(Id::Collective{}, H5Aopen(impl_->file, "resumes", H5P_DEFAULT), H5Aclose, "attribute open");
    agreed(H5Awrite(a, H5T_NATIVE_INT64, &n), "attribute write");
    agreed(H5Fflush(impl_->file, H5F_SCOPE_GLOBAL), "flush");
  });
}

void SweepCheckpoint::write(const Runs& runs, const std::vector<uint8_t>& rows, int64_t done) {
  Impl& im = *impl_;
  im.codes.clear();
  im.file_at.clear();
  im.memory_at.clear();
  hsize_t k = 0;
  for (const auto& [first, last] : runs)
    for (int64_t at = first; at < last; ++at, ++k) {
      const uint8_t code = rows[k * im.row_size + im.reason_offset];
      im.codes.push_back(code);
      if (code != 0) continue;
      im.file_at.push_back(static_cast<hsize_t>(at));
      im.memory_at.push_back(k);
    }
  on_file(impl_->path, "write the checkpoint", [&] {
    write_rows(im.reasons, H5T_NATIVE_UINT8, runs, im.codes.data(), /*individual_io=*/true);
    feasible_rows_io(im, static_cast<int64_t>(k), const_cast<uint8_t*>(rows.data()), /*write=*/true);
    write_scalar(impl_->done, H5T_NATIVE_INT64, &done, rank_of_world() == 0);
    agreed(H5Fflush(impl_->file, H5F_SCOPE_GLOBAL), "flush");
  });
  done_ = done;
}

std::vector<uint8_t> SweepCheckpoint::read(int64_t first, int64_t last) {
  std::vector<uint8_t> out;
  read(first, last, out);
  return out;
}

void SweepCheckpoint::read(int64_t first, int64_t last, std::vector<uint8_t>& out) {
  Impl& im = *impl_;
  const int64_t n = std::max<int64_t>(0, last - first);
  out.resize(static_cast<size_t>(n) * im.row_size);
  im.codes.resize(static_cast<size_t>(n));
  uint8_t none = 0;
  on_file(im.path, "read the checkpoint", [&] {
    Id x = individual_io_transfer();
    {
      Id file_space(H5Dget_space(im.reasons), H5Sclose, "dataspace");
      select_rows(file_space, first, last);
      Id mem = memory_space(n);
      agreed(H5Dread(im.reasons, H5T_NATIVE_UINT8, mem, file_space, x, n ? im.codes.data() : &none), "reasons read");
    }
    im.file_at.clear();
    im.memory_at.clear();
    for (int64_t i = 0; i < n; ++i) {
      uint8_t* row = out.data() + static_cast<size_t>(i) * im.row_size;
      if (const uint8_t code = im.codes[static_cast<size_t>(i)]; code != 0) {
        const uint64_t at = static_cast<uint64_t>(first + i);
        std::memcpy(row + im.index_offset, &at, sizeof at);
        row[im.reason_offset] = code;
        continue;
      }
      im.file_at.push_back(static_cast<hsize_t>(first + i));
      im.memory_at.push_back(static_cast<hsize_t>(i));
    }
    feasible_rows_io(im, n, out.data(), /*write=*/false);
  });
}

namespace {
void feasible_rows_io(const SweepCheckpoint::Impl& im, int64_t n, uint8_t* buffer, bool write) {
  Id file_space(H5Dget_space(im.results), H5Sclose, "dataspace");
  select_points(file_space, im.file_at);
  Id mem = memory_space(n);
  if (n > 0) select_points(mem, im.memory_at);
  Id x = individual_io_transfer();
  static uint8_t none = 0;
  uint8_t* data = im.file_at.empty() ? &none : buffer;
  if (write)
    agreed(H5Dwrite(im.results, im.type, mem, file_space, x, data), "rows write");
  else
    agreed(H5Dread(im.results, im.type, mem, file_space, x, data), "rows read");
}
}  // namespace

// ---- result file ----

// Deflate level of /results and /refused, with the shuffle filter before it. Level 1 deflates the
// feasible rows of benchmarks/bench_gpt3_space.toml about 20% faster than level 4 for a /results
// 4% larger (README "Performance"): the issue asked for write speed.
constexpr unsigned kDeflateLevel = 1;

struct SweepFile::Impl {
  std::string path;
  const Layout* layout = nullptr;
  Id file, meta;
  Id type, refused_type;
};

SweepFile::SweepFile(const std::string& path, const Layout& layout) : impl_(std::make_unique<Impl>()) {
  silence_library_errors();
  impl_->layout = &layout;
  Id fapl = mpi_file_access();
  try {
    impl_->file = Id(Id::Collective{}, H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose, "file create");
  } catch (const Failure&) {
    throw InputError({path, 0}, "", "cannot create the results file", "a writable path for -o");
  }
  impl_->path = path;
  on_file(path, "write the results file", [&] {
    impl_->type = row_type(layout);
    impl_->refused_type = compound_type(sweep::refused_columns(), sweep::kRefusedRowSize);
  });
}

namespace {
// A dataset of `rows` rows of `row_size` bytes, chunked (~1 MiB a chunk: large enough to compress
// well), shuffled and deflated. An empty one (a sweep with no feasible or no refused
// configuration) is contiguous: HDF5 refuses a chunk larger than a fixed extent of 0.
Id compressed_dataset(hid_t file, const char* name, hid_t type, int64_t rows, size_t row_size) {
  Id dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "creation list");
  if (rows > 0) {
    const hsize_t chunk = static_cast<hsize_t>(std::min<int64_t>(rows, std::max<int64_t>(1024, (int64_t{1} << 20) / static_cast<int64_t>(row_size))));
    check(H5Pset_chunk(dcpl, 1, &chunk), "chunking");
    check(H5Pset_shuffle(dcpl), "shuffle filter");
    check(H5Pset_deflate(dcpl, kDeflateLevel), "deflate filter");
  }
  check(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER), "no fill");
  const hsize_t n = static_cast<hsize_t>(rows);
  Id space(H5Screate_simple(1, &n, nullptr), H5Sclose, "dataspace");
  return Id(Id::Collective{}, H5Dcreate2(file, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), H5Dclose, "dataset create");
}
}  // namespace

SweepFile::~SweepFile() = default;

void SweepFile::write_results(int64_t rows, int64_t first, const std::vector<uint8_t>& mine) {
  on_file(impl_->path, "write the results file", [&] {
    const size_t rs = impl_->layout->row_size();
    Id d = compressed_dataset(impl_->file, "results", impl_->type, rows, rs);
    // An empty dataset takes no write (HDF5 refuses one): every rank knows `rows`, so all skip it.
    if (rows > 0) write_rows(d, impl_->type, {{first, first + static_cast<int64_t>(mine.size() / rs)}}, mine.data());
    column_attrs(d, impl_->layout->columns());
    // Tells a reader of older files (every configuration a row) from these.
    attr(d, "rows", std::string("feasible"));
  });
}

void SweepFile::write_refused(int64_t rows, int64_t first, const std::vector<uint8_t>& mine) {
  on_file(impl_->path, "write the results file", [&] {
    Id d = compressed_dataset(impl_->file, "refused", impl_->refused_type, rows, sweep::kRefusedRowSize);
    if (rows > 0) write_rows(d, impl_->refused_type, {{first, first + static_cast<int64_t>(mine.size() / sweep::kRefusedRowSize)}}, mine.data());
    column_attrs(d, sweep::refused_columns());
  });
}



void SweepFile::write_meta(const SweepMeta& m) {
  on_file(impl_->path, "write the results file", [&] {
    const bool writer = rank_of_world() == 0;
    impl_->meta = Id(Id::Collective{}, H5Gcreate2(impl_->file, "meta", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose, "group create");
    attr(impl_->meta, "tool_version", m.tool_version);
    attr(impl_->meta, "git_describe", m.git_describe);
    attr(impl_->meta, "command_line", m.command_line);
    attr(impl_->meta, "spec", m.spec_file);
    attr(impl_->meta, "ranks", m.ranks);
    attr(impl_->meta, "start_time", m.start_time);
    attr(impl_->meta, "resumes", m.resumes);
    Id inputs(Id::Collective{}, H5Gcreate2(impl_->meta, "inputs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose, "group create");
    for (size_t i = 0; i < m.inputs.size(); ++i) {
      const auto& [path, text] = m.inputs[i];
      Id t = string_type(text.size());
      Id s(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
      Id d(Id::Collective{}, H5Dcreate2(inputs, fmt::format("{:03}", i).c_str(), t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose, "input create");
      write_scalar(d, t, text.empty() ? "" : text.data(), writer);
      attr(d, "path", path);
      attr(d, "sha256", sweep::sha256_hex(text));
    }
  });
}

void SweepFile::write_space(const sweep::Spec& spec, const sweep::Space& space) {
  on_file(impl_->path, "write the results file", [&] {
    const bool writer = rank_of_world() == 0;
    Id g(Id::Collective{}, H5Gcreate2(impl_->file, "space", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose, "group create");
    std::vector<std::string> order;
    for (const auto& a : spec.axes) order.push_back(a.name);
    attr(g, "axes", order);
    attr(g, "total", space.total());
    attr(g, "enumeration", std::string("index = sum over axes of value_index * stride; the first axis varies slowest"));
    static const char* targets[] = {"workload", "knob", "cluster", "profile", "set"};
    for (size_t k = 0; k < spec.axes.size(); ++k) {
      const sweep::Axis& a = spec.axes[k];
      const auto& v0 = a.values.front();
      const size_t n = a.values.size();
      std::string units = a.units;
      if (std::holds_alternative<std::string>(v0)) {
        std::vector<std::string> s;
        for (const auto& v : a.values) s.push_back(std::get<std::string>(v));
        string_dataset(g, a.name, s, writer);
        units = a.target == sweep::Target::knob ? "choice" : "file path";
      } else if (std::holds_alternative<int64_t>(v0)) {
        std::vector<int64_t> x;
        for (const auto& v : a.values) x.push_back(std::get<int64_t>(v));
        small_dataset(g, a.name, H5T_NATIVE_INT64, n, x.data(), writer);
      } else if (std::holds_alternative<bool>(v0)) {
        std::vector<uint8_t> x;
        for (const auto& v : a.values) x.push_back(std::get<bool>(v) ? 1 : 0);
        small_dataset(g, a.name, H5T_NATIVE_UINT8, n, x.data(), writer);
      } else {
        std::vector<double> x;
        for (const auto& v : a.values) x.push_back(std::get<double>(v));
        small_dataset(g, a.name, H5T_NATIVE_DOUBLE, n, x.data(), writer);
      }
      Id d(Id::Collective{}, H5Dopen2(g, a.name.c_str(), H5P_DEFAULT), H5Dclose, "axis open");
      attr(d, "units", units.empty() ? std::string("1") : units);
      attr(d, "stride", space.stride(k));
      attr(d, "target", std::string(targets[static_cast<int>(a.target)]));
      if (!a.override_path.empty()) attr(d, "set_path", a.override_path);
    }
  });
}

void SweepFile::write_infeasible(const std::vector<int64_t>& counts) {
  on_file(impl_->path, "write the results file", [&] {
    // {reason (enum), name, configurations}, packed.
    constexpr size_t name_size = 32, row = 1 + name_size + 8;
    Id t(H5Tcreate(H5T_COMPOUND, row), H5Tclose, "compound type");
    Id reason = reason_type();
    Id name = string_type(name_size);
    check(H5Tinsert(t, "reason", 0, reason), "compound member");
    check(H5Tinsert(t, "name", 1, name), "compound member");
    check(H5Tinsert(t, "configurations", 1 + name_size, H5T_NATIVE_INT64), "compound member");
    const auto& names = sweep::reason_names();
    std::vector<uint8_t> buf(row * names.size(), 0);
    for (size_t i = 0; i < names.size(); ++i) {
      buf[i * row] = static_cast<uint8_t>(i);
      std::memcpy(&buf[i * row + 1], names[i].data(), std::min(name_size, names[i].size()));
      const int64_t c = i < counts.size() ? counts[i] : 0;
      std::memcpy(&buf[i * row + 1 + name_size], &c, 8);
    }
    small_dataset(impl_->file, "infeasible", t, names.size(), buf.data(), rank_of_world() == 0);
    Id d(Id::Collective{}, H5Dopen2(impl_->file, "infeasible", H5P_DEFAULT), H5Dclose, "infeasible open");
    attr(d, "columns", std::vector<std::string>{"reason", "name", "configurations"});
    attr(d, "units", std::vector<std::string>{"code", "1", "configurations"});
  });
}

void SweepFile::write_pareto(int64_t count, const std::vector<uint8_t>& rows, const std::vector<sweep::Objective>& objectives) {
  on_file(impl_->path, "write the results file", [&] {
    const bool writer = rank_of_world() == 0;
    const hsize_t n = static_cast<hsize_t>(count);
    Id space(H5Screate_simple(1, &n, nullptr), H5Sclose, "dataspace");
    Id d(Id::Collective{}, H5Dcreate2(impl_->file, "pareto", impl_->type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose, "pareto create");
    if (count > 0) write_rows(d, impl_->type, writer ? Runs{{0, count}} : Runs{}, rows.data());
    column_attrs(d, impl_->layout->columns());
    std::vector<std::string> obj;
    for (const auto& o : objectives) obj.push_back((o.maximize ? "maximize " : "minimize ") + o.column);
    attr(d, "objectives", obj);
  });
}

void SweepFile::finish(const std::string& end_time) {
  on_file(impl_->path, "write the results file", [&] {
    attr(impl_->meta, "end_time", end_time);
    agreed(H5Fflush(impl_->file, H5F_SCOPE_GLOBAL), "flush");
  });
}

}  // namespace rackscope::io
