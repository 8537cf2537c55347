// The native layer of `multiprocessing`: mechanism only, no policy.
//
//   open/unlink     POSIX shared memory (shm_open + mmap) handed to JavaScript as a real
//                   SharedArrayBuffer, unmapped when V8 drops the last reference.
//   wait/wake       FUTEX_WAIT / FUTEX_WAKE (not FUTEX_PRIVATE) on a 32-bit word of such a
//                   buffer, so they work across processes and threads alike.
//   Waiter          asynchronous waits: per JavaScript thread, a few native threads sleep in
//                   futex_waitv on every watched word plus one control word, and report which
//                   words changed back to the event loop through a uv_async handle. No libuv
//                   thread-pool thread is ever blocked.
//   setParentDeathSignal   prctl(PR_SET_PDEATHSIG), so a daemonic child dies with its parent.
//
// Lock states, queue layouts, timeouts and retries live in TypeScript.

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <node.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif
#ifndef FUTEX_32
#define FUTEX_32 2
#endif

namespace {

using v8::Array;
using v8::Context;
using v8::Function;
using v8::FunctionCallbackInfo;
using v8::FunctionTemplate;
using v8::Global;
using v8::HandleScope;
using v8::Integer;
using v8::Isolate;
using v8::Local;
using v8::Number;
using v8::Object;
using v8::SharedArrayBuffer;
using v8::String;
using v8::Value;

struct WaitvEntry {  // struct futex_waitv from <linux/futex.h>, declared here for older headers
  uint64_t val;
  uint64_t uaddr;
  uint32_t flags;
  uint32_t reserved;
};
constexpr size_t kWaitvMax = 128;  // FUTEX_WAITV_MAX

void ThrowErrno(Isolate* isolate, const char* what, int err) {
  char message[256];
  snprintf(message, sizeof message, "%s: %s", what, strerror(err));
  Local<Value> error = v8::Exception::Error(String::NewFromUtf8(isolate, message).ToLocalChecked());
  Local<Context> context = isolate->GetCurrentContext();
  error.As<Object>()
      ->Set(context, String::NewFromUtf8Literal(isolate, "errno"), Integer::New(isolate, err))
      .Check();
  isolate->ThrowException(error);
}

void ThrowType(Isolate* isolate, const char* message) {
  isolate->ThrowException(v8::Exception::TypeError(String::NewFromUtf8(isolate, message).ToLocalChecked()));
}

// Resolves (buffer, byteOffset) to an aligned 32-bit word inside the buffer.
bool WordAt(const FunctionCallbackInfo<Value>& args, int index, std::shared_ptr<v8::BackingStore>* store,
            int32_t** word) {
  Isolate* isolate = args.GetIsolate();
  if (!args[index]->IsSharedArrayBuffer() || !args[index + 1]->IsNumber()) {
    ThrowType(isolate, "expected (SharedArrayBuffer, byteOffset)");
    return false;
  }
  *store = args[index].As<SharedArrayBuffer>()->GetBackingStore();
  double offset = args[index + 1].As<Number>()->Value();
  if (offset < 0 || offset + 4 > static_cast<double>((*store)->ByteLength()) || static_cast<int64_t>(offset) % 4 != 0) {
    isolate->ThrowException(v8::Exception::RangeError(
        String::NewFromUtf8Literal(isolate, "byteOffset must be a multiple of 4 inside the buffer")));
    return false;
  }
  *word = reinterpret_cast<int32_t*>(static_cast<char*>((*store)->Data()) + static_cast<size_t>(offset));
  return true;
}

// open(name, size, create): create (exclusively, size bytes) or attach to a segment.
void Open(const FunctionCallbackInfo<Value>& args) {
  Isolate* isolate = args.GetIsolate();
  if (!args[0]->IsString() || !args[1]->IsNumber() || !args[2]->IsBoolean()) {
    return ThrowType(isolate, "open(name: string, size: number, create: boolean)");
  }
  String::Utf8Value name(isolate, args[0]);
  double requested = args[1].As<Number>()->Value();
  bool create = args[2]->IsTrue();
  int fd = shm_open(*name, create ? (O_CREAT | O_EXCL | O_RDWR) : O_RDWR, 0600);
  if (fd < 0) return ThrowErrno(isolate, "shm_open", errno);
  size_t size = static_cast<size_t>(requested);
  if (create) {
    if (ftruncate(fd, static_cast<off_t>(size)) != 0) {
      int err = errno;
      close(fd);
      shm_unlink(*name);
      return ThrowErrno(isolate, "ftruncate", err);
    }
  } else {
    struct stat st;
    if (fstat(fd, &st) != 0) {
      int err = errno;
      close(fd);
      return ThrowErrno(isolate, "fstat", err);
    }
    size = static_cast<size_t>(st.st_size);
  }
  void* memory = size == 0 ? nullptr : mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int err = errno;
  close(fd);
  if (size == 0) return ThrowErrno(isolate, "mmap", EINVAL);
  if (memory == MAP_FAILED) {
    if (create) shm_unlink(*name);
    return ThrowErrno(isolate, "mmap", err);
  }
  std::unique_ptr<v8::BackingStore> store = SharedArrayBuffer::NewBackingStore(
      memory, size, [](void* data, size_t length, void*) { munmap(data, length); }, nullptr);
  args.GetReturnValue().Set(SharedArrayBuffer::New(isolate, std::move(store)));
}

// unlink(name): true when removed, false when it did not exist.
void Unlink(const FunctionCallbackInfo<Value>& args) {
  Isolate* isolate = args.GetIsolate();
  if (!args[0]->IsString()) return ThrowType(isolate, "unlink(name: string)");
  String::Utf8Value name(isolate, args[0]);
  if (shm_unlink(*name) == 0) return args.GetReturnValue().Set(true);
  if (errno == ENOENT) return args.GetReturnValue().Set(false);
  ThrowErrno(isolate, "shm_unlink", errno);
}

// wait(buffer, byteOffset, expected, timeoutMs): 0 woken, 1 value was not `expected`, 2 timed out.
// A negative timeout waits forever. Blocks the calling thread only.
void Wait(const FunctionCallbackInfo<Value>& args) {
  Isolate* isolate = args.GetIsolate();
  std::shared_ptr<v8::BackingStore> store;
  int32_t* word;
  if (!WordAt(args, 0, &store, &word)) return;
  int32_t expected = args[2]->Int32Value(isolate->GetCurrentContext()).FromMaybe(0);
  double timeout = args[3]->IsNumber() ? args[3].As<Number>()->Value() : -1;
  struct timespec ts;
  struct timespec* tsp = nullptr;
  if (timeout >= 0) {
    ts.tv_sec = static_cast<time_t>(timeout / 1000);
    ts.tv_nsec = static_cast<long>((timeout - ts.tv_sec * 1000.0) * 1e6);
    tsp = &ts;
  }
  long rc = syscall(SYS_futex, word, FUTEX_WAIT, expected, tsp, nullptr, 0);
  int result = 0;
  if (rc != 0) {
    if (errno == EAGAIN) result = 1;
    else if (errno == ETIMEDOUT) result = 2;
    else if (errno == EINTR) result = 0;  // the caller re-checks its condition anyway
    else return ThrowErrno(isolate, "futex wait", errno);
  }
  args.GetReturnValue().Set(result);
}

// wake(buffer, byteOffset, count): number of waiters woken.
void Wake(const FunctionCallbackInfo<Value>& args) {
  Isolate* isolate = args.GetIsolate();
  std::shared_ptr<v8::BackingStore> store;
  int32_t* word;
  if (!WordAt(args, 0, &store, &word)) return;
  int32_t count = args[2]->Int32Value(isolate->GetCurrentContext()).FromMaybe(INT32_MAX);
  long rc = syscall(SYS_futex, word, FUTEX_WAKE, count, nullptr, nullptr, 0);
  if (rc < 0) return ThrowErrno(isolate, "futex wake", errno);
  args.GetReturnValue().Set(static_cast<int32_t>(rc));
}

void SetParentDeathSignal(const FunctionCallbackInfo<Value>& args) {
  Isolate* isolate = args.GetIsolate();
  int signal = args[0]->Int32Value(isolate->GetCurrentContext()).FromMaybe(0);
  if (prctl(PR_SET_PDEATHSIG, signal) != 0) return ThrowErrno(isolate, "prctl(PR_SET_PDEATHSIG)", errno);
}

// ---------------------------------------------------------------------------------------------
// Asynchronous waits.

struct Watch {
  uint32_t id;
  int32_t* word;
  int32_t expected;
  std::shared_ptr<v8::BackingStore> store;  // keeps the mapping alive while watched
};

bool g_waitv_missing = false;  // set once futex_waitv answers ENOSYS (kernels before 5.16)

class Waiter;

// One native thread sleeping on up to 127 watched words plus its control word. Without
// futex_waitv it sleeps on a single word with FUTEX_WAIT and is woken through that word.
class Shard {
 public:
  explicit Shard(Waiter* owner) : owner_(owner) { thread_ = std::thread([this] { Run(); }); }
  ~Shard() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    Poke();
    thread_.join();
  }
  size_t Capacity() const { return g_waitv_missing ? 1 : kWaitvMax - 1; }
  size_t Size() {
    std::lock_guard<std::mutex> lock(mutex_);
    return watches_.size();
  }
  bool TryAdd(const Watch& watch) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (watches_.size() >= Capacity()) return false;
      watches_.emplace(watch.id, watch);
    }
    Poke();
    return true;
  }
  bool Remove(uint32_t id) {
    int32_t* word = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = watches_.find(id);
      if (it == watches_.end()) return false;
      word = it->second.word;
      watches_.erase(it);
    }
    Poke(word);
    return true;
  }

 private:
  void Poke(int32_t* word = nullptr) {
    control_.fetch_add(1);
    syscall(SYS_futex, reinterpret_cast<int32_t*>(&control_), FUTEX_WAKE, INT32_MAX, nullptr, nullptr, 0);
    if (g_waitv_missing && word != nullptr) {
      syscall(SYS_futex, word, FUTEX_WAKE, INT32_MAX, nullptr, nullptr, 0);
    }
  }
  void Run();

  Waiter* owner_;
  std::mutex mutex_;
  std::unordered_map<uint32_t, Watch> watches_;
  std::atomic<int32_t> control_{0};
  bool stop_ = false;
  std::thread thread_;
};

class Waiter {
 public:
  Waiter(Isolate* isolate, Local<Context> context, Local<Function> callback)
      : isolate_(isolate), context_(isolate, context), callback_(isolate, callback) {
    uv_loop_t* loop = node::GetCurrentEventLoop(isolate);
    async_ = new uv_async_t;
    uv_async_init(loop, async_, [](uv_async_t* handle) { static_cast<Waiter*>(handle->data)->Deliver(); });
    async_->data = this;
    uv_unref(reinterpret_cast<uv_handle_t*>(async_));
    node::AddEnvironmentCleanupHook(isolate, [](void* self) { static_cast<Waiter*>(self)->Close(); }, this);
  }

  void Add(const Watch& watch) {
    std::lock_guard<std::mutex> lock(shards_mutex_);
    for (auto& shard : shards_) {
      if (shard->TryAdd(watch)) return;
    }
    shards_.push_back(std::make_unique<Shard>(this));
    shards_.back()->TryAdd(watch);
  }

  bool Remove(uint32_t id) {
    std::lock_guard<std::mutex> lock(shards_mutex_);
    for (auto& shard : shards_) {
      if (shard->Remove(id)) return true;
    }
    return false;
  }

  void Ref(bool on) {
    if (closed_) return;
    if (on) uv_ref(reinterpret_cast<uv_handle_t*>(async_));
    else uv_unref(reinterpret_cast<uv_handle_t*>(async_));
  }

  // Called on a shard thread: these watches fired and were removed from their shard.
  void Fired(const std::vector<uint32_t>& ids) {
    {
      std::lock_guard<std::mutex> lock(fired_mutex_);
      fired_.insert(fired_.end(), ids.begin(), ids.end());
    }
    uv_async_send(async_);
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    node::RemoveEnvironmentCleanupHook(isolate_, [](void* self) { static_cast<Waiter*>(self)->Close(); }, this);
    {
      std::lock_guard<std::mutex> lock(shards_mutex_);
      shards_.clear();  // joins every shard thread
    }
    callback_.Reset();
    context_.Reset();
    // The handle's data still points here: the close callback frees both.
    uv_close(reinterpret_cast<uv_handle_t*>(async_), [](uv_handle_t* handle) {
      delete static_cast<Waiter*>(handle->data);
      delete reinterpret_cast<uv_async_t*>(handle);
    });
  }

 private:
  void Deliver() {
    std::vector<uint32_t> ids;
    {
      std::lock_guard<std::mutex> lock(fired_mutex_);
      ids.swap(fired_);
    }
    if (ids.empty() || closed_) return;
    HandleScope scope(isolate_);
    Local<Context> context = context_.Get(isolate_);
    Context::Scope context_scope(context);
    Local<Array> list = Array::New(isolate_, static_cast<int>(ids.size()));
    for (size_t i = 0; i < ids.size(); i++) {
      list->Set(context, static_cast<uint32_t>(i), Integer::NewFromUnsigned(isolate_, ids[i])).Check();
    }
    Local<Value> argv[] = {list};
    node::CallbackScope callback_scope(isolate_, Object::New(isolate_), {0, 0});
    if (callback_.Get(isolate_)->Call(context, context->Global(), 1, argv).IsEmpty()) return;
  }

  Isolate* isolate_;
  Global<Context> context_;
  Global<Function> callback_;
  uv_async_t* async_;
  bool closed_ = false;
  std::mutex shards_mutex_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::mutex fired_mutex_;
  std::vector<uint32_t> fired_;
};

void Shard::Run() {
  std::vector<WaitvEntry> entries;
  std::vector<Watch> snapshot;
  std::vector<uint32_t> fired;
  for (;;) {
    int32_t control;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_) return;
      control = control_.load();
      snapshot.clear();
      fired.clear();
      for (auto it = watches_.begin(); it != watches_.end();) {
        // A word that already differs fires at once, without sleeping.
        if (__atomic_load_n(it->second.word, __ATOMIC_SEQ_CST) != it->second.expected) {
          fired.push_back(it->first);
          it = watches_.erase(it);
        } else {
          snapshot.push_back(it->second);
          ++it;
        }
      }
    }
    if (!fired.empty()) {
      owner_->Fired(fired);
      continue;
    }
    long rc;
    if (g_waitv_missing) {
      if (snapshot.empty()) {
        rc = syscall(SYS_futex, reinterpret_cast<int32_t*>(&control_), FUTEX_WAIT, control, nullptr, nullptr, 0);
      } else {
        rc = syscall(SYS_futex, snapshot[0].word, FUTEX_WAIT, snapshot[0].expected, nullptr, nullptr, 0);
      }
    } else {
      entries.clear();
      entries.push_back({static_cast<uint32_t>(control), reinterpret_cast<uint64_t>(&control_), FUTEX_32, 0});
      for (const Watch& watch : snapshot) {
        entries.push_back({static_cast<uint32_t>(watch.expected), reinterpret_cast<uint64_t>(watch.word), FUTEX_32, 0});
      }
      rc = syscall(SYS_futex_waitv, entries.data(), entries.size(), 0, nullptr, CLOCK_MONOTONIC);
      if (rc < 0 && errno == ENOSYS) {
        g_waitv_missing = true;  // fall back; the next round uses FUTEX_WAIT
        continue;
      }
    }
    // Woken (by a watched word, or the control word), or a value differed (EAGAIN), or a
    // signal (EINTR): the next round re-reads every word and reports those that changed.
    // A wake on a word whose value is unchanged is reported too, so notify-style wakes work.
    if (rc > 0 && !g_waitv_missing) {
      const Watch& woken = snapshot[static_cast<size_t>(rc) - 1];
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto it = watches_.begin(); it != watches_.end();) {
        if (it->second.word == woken.word) {
          fired.push_back(it->first);
          it = watches_.erase(it);
        } else {
          ++it;
        }
      }
    } else if (rc == 0 && g_waitv_missing && !snapshot.empty()) {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto it = watches_.begin(); it != watches_.end();) {
        if (it->second.word == snapshot[0].word && control_.load() == control) {
          fired.push_back(it->first);
          it = watches_.erase(it);
        } else {
          ++it;
        }
      }
    }
    if (!fired.empty()) owner_->Fired(fired);
  }
}

// The JavaScript face of a Waiter: an object with add/remove/ref/close methods.
Waiter* Unwrap(const FunctionCallbackInfo<Value>& args) {
  Local<Object> self = args.This();
  if (self->InternalFieldCount() < 1) return nullptr;
  return static_cast<Waiter*>(self->GetAlignedPointerFromInternalField(0));
}

void WaiterAdd(const FunctionCallbackInfo<Value>& args) {
  Waiter* waiter = Unwrap(args);
  Isolate* isolate = args.GetIsolate();
  if (waiter == nullptr) return ThrowType(isolate, "closed waiter");
  std::shared_ptr<v8::BackingStore> store;
  int32_t* word;
  if (!args[0]->IsUint32()) return ThrowType(isolate, "add(id, buffer, byteOffset, expected)");
  if (!WordAt(args, 1, &store, &word)) return;
  Local<Context> context = isolate->GetCurrentContext();
  Watch watch{args[0]->Uint32Value(context).FromMaybe(0), word, args[3]->Int32Value(context).FromMaybe(0), store};
  waiter->Add(watch);
}

void WaiterRemove(const FunctionCallbackInfo<Value>& args) {
  Waiter* waiter = Unwrap(args);
  if (waiter == nullptr) return;
  args.GetReturnValue().Set(waiter->Remove(args[0]->Uint32Value(args.GetIsolate()->GetCurrentContext()).FromMaybe(0)));
}

void WaiterRef(const FunctionCallbackInfo<Value>& args) {
  Waiter* waiter = Unwrap(args);
  if (waiter != nullptr) waiter->Ref(args[0]->IsTrue());
}

void CreateWaiter(const FunctionCallbackInfo<Value>& args) {
  Isolate* isolate = args.GetIsolate();
  if (!args[0]->IsFunction()) return ThrowType(isolate, "createWaiter(callback: (ids: number[]) => void)");
  Local<Context> context = isolate->GetCurrentContext();
  Local<FunctionTemplate> tpl = FunctionTemplate::New(isolate);
  tpl->InstanceTemplate()->SetInternalFieldCount(1);
  Local<v8::ObjectTemplate> proto = tpl->PrototypeTemplate();
  proto->Set(isolate, "add", FunctionTemplate::New(isolate, WaiterAdd));
  proto->Set(isolate, "remove", FunctionTemplate::New(isolate, WaiterRemove));
  proto->Set(isolate, "ref", FunctionTemplate::New(isolate, WaiterRef));
  Local<Object> object = tpl->GetFunction(context).ToLocalChecked()->NewInstance(context).ToLocalChecked();
  // The waiter lives as long as the thread's environment; JavaScript keeps one per thread.
  Waiter* waiter = new Waiter(isolate, context, args[0].As<Function>());
  object->SetAlignedPointerInInternalField(0, waiter);
  args.GetReturnValue().Set(object);
}

}  // namespace

NODE_MODULE_INIT(/* exports, module, context */) {
  Isolate* isolate = context->GetIsolate();
  NODE_SET_METHOD(exports, "open", Open);
  NODE_SET_METHOD(exports, "unlink", Unlink);
  NODE_SET_METHOD(exports, "wait", Wait);
  NODE_SET_METHOD(exports, "wake", Wake);
  NODE_SET_METHOD(exports, "setParentDeathSignal", SetParentDeathSignal);
  NODE_SET_METHOD(exports, "createWaiter", CreateWaiter);
  (void)isolate;
  (void)module;
}
