#include "sim/output/output_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

#include "models/input_error.h"
#include "models/log.h"

namespace servesim {
namespace {

std::string Reason(int error) { return std::generic_category().message(error); }

// Removes `path`; ENOENT is success. Returns 0 or the errno.
int Unlink(const std::filesystem::path& path) {
  return ::unlink(path.c_str()) == 0 || errno == ENOENT ? 0 : errno;
}

}  // namespace

// A streambuf over a file descriptor that remembers the first failed write's errno (std::filebuf
// only reports that something failed). After a failure it discards what it is given; Close()
// reports the error.
class AtomicFile::Buffer : public std::streambuf {
 public:
  explicit Buffer(int fd) : fd_(fd), data_(1 << 16) { ResetPut(); }
  ~Buffer() override {
    if (fd_ >= 0) ::close(fd_);
  }

  // Writes what is buffered and closes the file: 0, or the errno of the first failure.
  int Close() {
    Drain();
    if (fd_ >= 0 && ::close(fd_) != 0 && error_ == 0) error_ = errno;
    fd_ = -1;
    return error_;
  }

 protected:
  int_type overflow(int_type c) override {
    if (!Drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return Drain() ? 0 : -1; }

 private:
  void ResetPut() { setp(data_.data(), data_.data() + data_.size()); }

  bool Drain() {
    for (const char* p = pbase(); error_ == 0 && fd_ >= 0 && p < pptr();) {
      const ssize_t n = ::write(fd_, p, static_cast<size_t>(pptr() - p));
      if (n > 0) {
        p += n;
      } else if (n == 0 || errno != EINTR) {
        error_ = n == 0 ? ENOSPC : errno;
      }
    }
    ResetPut();
    return error_ == 0;
  }

  int fd_;
  int error_ = 0;
  std::vector<char> data_;
};

std::string TempFileName(const std::string& name, long pid) {
  return "." + name + ".tmp-" + std::to_string(pid);
}

AtomicFile::AtomicFile(std::filesystem::path final_path, std::string flag)
    : final_path_(std::move(final_path)), flag_(std::move(flag)) {
  temp_path_ = final_path_.parent_path() /
               TempFileName(final_path_.filename().string(), static_cast<long>(::getpid()));
  const int fd = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    throw InputError(flag_ + ": cannot write " + final_path_.string() + ": " + Reason(errno));
  }
  buffer_ = std::make_unique<Buffer>(fd);
  stream_ = std::make_unique<std::ostream>(buffer_.get());
}

AtomicFile::~AtomicFile() {
  stream_.reset();
  buffer_.reset();  // closes the descriptor
  if (!renamed_) {
    Unlink(temp_path_);
  } else if (!kept_) {
    Unlink(final_path_);
  }
}

std::ostream& AtomicFile::stream() { return *stream_; }

void AtomicFile::Close() {
  stream_->flush();
  const int error = buffer_->Close();
  if (error != 0) {
    throw InputError(flag_ + ": cannot write " + final_path_.string() + ": " + Reason(error));
  }
}

void AtomicFile::Rename() {
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    throw InputError(flag_ + ": cannot rename " + temp_path_.string() + " to " +
                     final_path_.filename().string() + ": " + Reason(errno));
  }
  renamed_ = true;
}

void WriteFileAtomically(const std::filesystem::path& path, std::string_view text,
                         const std::string& flag) {
  AtomicFile f(path, flag);
  f.stream() << text;
  f.Close();
  f.Rename();
  f.Keep();
}

OutputDir::OutputDir(std::filesystem::path dir, std::vector<std::string> family, std::string marker,
                     std::string flag)
    : dir_(std::move(dir)),
      family_(std::move(family)),
      marker_(std::move(marker)),
      flag_(std::move(flag)) {
  if (std::find(family_.begin(), family_.end(), marker_) == family_.end()) {
    throw std::logic_error("OutputDir: the marker " + marker_ + " is not in the family");
  }
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw InputError(Where() + ": cannot create directory: " + ec.message());
  Lock();
  try {
    RemoveStale();
  } catch (...) {
    ::unlink((dir_ / kOutputLockName).c_str());
    ::close(lock_fd_);
    throw;
  }
}

OutputDir::~OutputDir() {
  files_.clear();  // without Commit: removes the temporaries and whatever was renamed
  if (lock_fd_ >= 0) {
    // Unlinked while still held: a run that opened this file before and locks it after the close
    // sees that the name now points elsewhere and retries (Lock).
    ::unlink((dir_ / kOutputLockName).c_str());
    ::close(lock_fd_);
  }
}

std::string OutputDir::Where() const { return flag_ + " " + dir_.string(); }

// The lock is flock(2) on DIR/.servesim.lock, not a file created with O_EXCL holding a pid: the
// kernel releases a flock when its holder dies, kill -9 included, so a killed run never blocks the
// next one, and no one has to guess whether a recorded pid (perhaps of another host sharing the
// directory) is still alive. The pid written into the file only feeds the refusal message.
void OutputDir::Lock() {
  const std::filesystem::path path = dir_ / kOutputLockName;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
      throw InputError(Where() + ": cannot create the lock file " + path.string() + ": " +
                       Reason(errno));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      if (error == EWOULDBLOCK) {
        char pid[32] = {};
        const ssize_t n = ::pread(fd, pid, sizeof(pid) - 1, 0);
        ::close(fd);
        throw InputError(Where() + ": in use by another servesim command (pid " +
                         (n > 0 ? std::string(pid, static_cast<size_t>(n)) : "unknown") +
                         ", lock " + path.string() + "); wait for it or choose another --out");
      }
      ::close(fd);
      // A file system without locks (an NFS mount without lockd): run, but say so.
      CliLog().warn("{}: cannot lock {} ({}); concurrent commands into it are not refused", Where(),
                    path.string(), Reason(error));
      return;
    }
    struct stat held {
    }, named{};
    if (::fstat(fd, &held) == 0 && ::stat(path.c_str(), &named) == 0 &&
        held.st_dev == named.st_dev && held.st_ino == named.st_ino) {
      const std::string pid = std::to_string(::getpid());
      if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
        // The pid is only for the message of a refused second run; the lock holds regardless.
      }
      lock_fd_ = fd;
      return;
    }
    ::close(fd);  // its holder removed the file as we locked it: lock the new one
  }
  throw InputError(Where() + ": cannot take the lock " + path.string() +
                   " (another command keeps replacing it)");
}

// The marker first: from the first removal on, DIR never shows a complete-looking run.
void OutputDir::RemoveStale() {
  std::vector<std::string> order = {marker_};
  for (const std::string& name : family_) {
    if (name != marker_) order.push_back(name);
  }
  for (const std::string& name : order) {
    if (const int error = Unlink(dir_ / name)) {
      throw InputError(Where() + ": cannot remove the earlier run's " + (dir_ / name).string() +
                       ": " + Reason(error));
    }
  }
  // Temporaries of killed runs (no one else writes here: we hold the lock).
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    for (const std::string& f : family_) {
      const std::string prefix = "." + f + ".tmp-";
      if (name.compare(0, prefix.size(), prefix) == 0) Unlink(entry.path());
    }
  }
  if (ec) throw InputError(Where() + ": cannot list the directory: " + ec.message());
}

std::ostream& OutputDir::Open(const std::string& name) {
  if (std::find(family_.begin(), family_.end(), name) == family_.end()) {
    throw std::logic_error("OutputDir::Open: " + name + " is not in the family");
  }
  for (const auto& f : files_) {
    if (f->final_path().filename() == name) {
      throw std::logic_error("OutputDir::Open: " + name + " opened twice");
    }
  }
  files_.push_back(std::make_unique<AtomicFile>(dir_ / name, Where()));
  return files_.back()->stream();
}

void OutputDir::Write(const std::string& name, std::string_view text) { Open(name) << text; }

void OutputDir::Commit() {
  for (const auto& f : files_) f->Close();
  AtomicFile* marker = nullptr;
  for (const auto& f : files_) {
    if (f->final_path().filename() == marker_) {
      marker = f.get();
    } else {
      f->Rename();
    }
  }
  if (marker) marker->Rename();
  for (const auto& f : files_) f->Keep();
}

}  // namespace servesim
