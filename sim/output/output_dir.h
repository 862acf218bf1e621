// Output files written whole or not at all: every command that writes files goes through here.
//
// Contract of an OutputDir (a command's --out DIR):
// - Opening it creates DIR, takes DIR/.servesim.lock (a second command into DIR is refused with a
//   one-line InputError while the first runs) and removes the files of `family` that an earlier run
//   left there (the marker first) and their temporaries. From then on DIR holds no file of the
//   family until Commit.
// - Each file is written to `.NAME.tmp-PID` in DIR; writers that stream (observers) write into
//   that temporary while the run goes on.
// - Commit() flushes and closes every file, then renames each into place, the marker (summary.json
//   of `servesim run`) last: a marker in DIR means every file this run opened is complete and from
//   the same run. A file of the family this run did not open stays absent.
// - Without Commit (an exception, a failed write) the destructor removes the temporaries and any
//   file already renamed: a failed run leaves none of the family. A killed process (kill -9) may
//   leave temporaries, never a marker beside partial files; the next run into DIR removes them.
// - Every error names the file and the system's reason (errno text).
// Ignores: power loss (nothing is fsync'ed; rename is atomic against a process dying, not a
// machine) and files outside the family (a directory shared with other tools keeps them).
#ifndef SERVESIM_SIM_OUTPUT_OUTPUT_DIR_H_
#define SERVESIM_SIM_OUTPUT_OUTPUT_DIR_H_

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace servesim {

// One file written under a temporary name beside its final path, renamed into place by Rename().
// Destroyed before Rename, it removes the temporary (or the renamed file, once Rename succeeded,
// if Keep() was not called).
class AtomicFile {
 public:
  // Creates `final_path`'s temporary (`.NAME.tmp-PID` in the same directory); `flag` prefixes
  // errors ("--out DIR", "--html").
  AtomicFile(std::filesystem::path final_path, std::string flag);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ostream& stream();
  // Flushes and closes the temporary; InputError naming the file and errno on any failed write.
  void Close();
  // Renames the closed temporary to the final path.
  void Rename();
  // The renamed file stays when this object is destroyed.
  void Keep() { kept_ = true; }
  const std::filesystem::path& final_path() const { return final_path_; }

 private:
  class Buffer;
  std::filesystem::path final_path_, temp_path_;
  std::string flag_;
  std::unique_ptr<Buffer> buffer_;
  std::unique_ptr<std::ostream> stream_;
  bool renamed_ = false, kept_ = false;
};

// Writes `text` to `path` through an AtomicFile: the old file or the whole new one, never a part.
void WriteFileAtomically(const std::filesystem::path& path, std::string_view text,
                         const std::string& flag);

// The temporary name of `name` written by process `pid`: ".NAME.tmp-PID".
std::string TempFileName(const std::string& name, long pid);

// The lock file's name in an output directory.
inline constexpr const char* kOutputLockName = ".servesim.lock";

class OutputDir {
 public:
  // `family`: every file name commands of this kind write into a directory (all are removed at
  // the start); `marker`, one of them, is renamed last. `flag` names the option in errors.
  OutputDir(std::filesystem::path dir, std::vector<std::string> family, std::string marker,
            std::string flag = "--out");
  ~OutputDir();
  OutputDir(const OutputDir&) = delete;
  OutputDir& operator=(const OutputDir&) = delete;

  // The stream of `name` (one of the family, opened once) into its temporary.
  std::ostream& Open(const std::string& name);
  // Open(name) << text.
  void Write(const std::string& name, std::string_view text);
  // Closes every file and renames them into place, the marker last; InputError naming the file.
  void Commit();

  const std::filesystem::path& path() const { return dir_; }

 private:
  void Lock();
  void RemoveStale();
  std::string Where() const;  // "--out DIR"

  std::filesystem::path dir_;
  std::vector<std::string> family_;
  std::string marker_, flag_;
  int lock_fd_ = -1;
  std::vector<std::unique_ptr<AtomicFile>> files_;
};

}  // namespace servesim

#endif  // SERVESIM_SIM_OUTPUT_OUTPUT_DIR_H_
