{
  "targets": [
    {
      "target_name": "multiprocessing",
      "sources": ["native/addon.cc"],
      "cflags_cc": ["-std=c++20", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-cast-function-type"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "libraries": ["-lrt", "-lpthread"]
    }
  ]
}
