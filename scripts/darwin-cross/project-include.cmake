# Included at the end of Aeron's project() call (CMAKE_PROJECT_INCLUDE) by
# scripts/build-artifacts-cross.sh when it cross-builds Aeron for macOS on Linux with zig cc.
#
# On Darwin, CMake enables `-Wl,-rpath,` only after asking `sw_vers` for the macOS version, which a
# Linux machine does not have; without it the dylibs get absolute install names and aeronmd no
# rpath. Turn rpaths on here and give every library the install name `@rpath/lib<name>.dylib` and
# every binary the rpath `@loader_path/../lib` (bin/aeronmd and lib/*.dylib of the archive). They
# are written when linking: rewriting them afterwards would invalidate the ad-hoc code signature
# that arm64 Mach-O files must carry.
if(CMAKE_SYSTEM_NAME STREQUAL "Darwin")
  foreach(lang C CXX)
    set(CMAKE_SHARED_LIBRARY_RUNTIME_${lang}_FLAG "-Wl,-rpath,")
    set(CMAKE_EXECUTABLE_RUNTIME_${lang}_FLAG "-Wl,-rpath,")
  endforeach()
  set(CMAKE_MACOSX_RPATH ON)
  set(CMAKE_BUILD_WITH_INSTALL_RPATH ON)
  set(CMAKE_INSTALL_RPATH "@loader_path/../lib")
  set(CMAKE_INSTALL_NAME_DIR "@rpath")
endif()
