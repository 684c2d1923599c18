# Install rules, and the CMake package that lets a plugin build outside the
# tree against an installed swf-runtime:
#   find_package(SwfRuntime REQUIRED)
#   add_library(my_plugin MODULE plugin.cpp)
#   target_link_libraries(my_plugin PRIVATE SwfRuntime::sdk)
# What a plugin needs (headers, the model library, the package files) is the
# install component `sdk`: `cmake --install build --component sdk`.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(swfrt_package_dir ${CMAKE_INSTALL_LIBDIR}/cmake/SwfRuntime)

# In the tree the headers are found where they are; installed, under include/.
# swf/ adds the source directory unwrapped, which an exported target may not carry.
set_property(TARGET swfrt_model PROPERTY INTERFACE_INCLUDE_DIRECTORIES
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
set_property(TARGET swfrt_sdk APPEND PROPERTY INTERFACE_INCLUDE_DIRECTORIES
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
# The SDK header uses std::stop_token and coroutines.
set_property(TARGET swfrt_sdk APPEND PROPERTY INTERFACE_COMPILE_FEATURES cxx_std_20)
set_target_properties(swfrt_sdk PROPERTIES EXPORT_NAME sdk)
set_target_properties(swfrt_model PROPERTIES EXPORT_NAME model)
# The same names in the tree, for projects that add this one as a subdirectory.
add_library(SwfRuntime::sdk ALIAS swfrt_sdk)
add_library(SwfRuntime::model ALIAS swfrt_model)

install(FILES ${PROJECT_SOURCE_DIR}/runtime/sdk/swfrt/sdk.hpp ${PROJECT_SOURCE_DIR}/runtime/sdk/swfrt/json.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/swfrt COMPONENT sdk)
file(GLOB swfrt_model_headers ${PROJECT_SOURCE_DIR}/swf/model/*.hpp)
install(FILES ${swfrt_model_headers}
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/swf/model COMPONENT sdk)

install(TARGETS swfrt_sdk swfrt_model EXPORT SwfRuntimeTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT sdk)
install(EXPORT SwfRuntimeTargets NAMESPACE SwfRuntime::
        DESTINATION ${swfrt_package_dir} COMPONENT sdk)
# The package also works from the build tree: -DSwfRuntime_DIR=<build>.
export(EXPORT SwfRuntimeTargets NAMESPACE SwfRuntime::
       FILE ${PROJECT_BINARY_DIR}/SwfRuntimeTargets.cmake)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/SwfRuntimeConfig.cmake.in
  ${PROJECT_BINARY_DIR}/SwfRuntimeConfig.cmake
  INSTALL_DESTINATION ${swfrt_package_dir})
# Before 1.0 a minor release may change the SDK; the plugin ABI check
# refuses a mismatched plugin at load time in any case.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/SwfRuntimeConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/SwfRuntimeConfig.cmake
              ${PROJECT_BINARY_DIR}/SwfRuntimeConfigVersion.cmake
        DESTINATION ${swfrt_package_dir} COMPONENT sdk)

# The example plugin, for the quick start and the container image.
if(TARGET swfrt_example_plugin)
  install(TARGETS swfrt_example_plugin
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/swf-runtime/plugins COMPONENT examples)
endif()
