# Install rules, and the CMake package that lets plugins and programs build
# outside the tree against an installed swf-runtime. Three components, each
# with exactly its headers and libraries:
#   sdk       <swfrt/sdk.hpp>, <swfrt/json.hpp>, the model: activities and
#             raw deciders (SwfRuntime::sdk), swfrt_add_plugin
#   workflow  <swfrt/workflow.hpp>: workflows as code (SwfRuntime::workflow)
#   client    <swfrt/client.hpp>: the async SWF client (SwfRuntime::client)
#   cmake --install build --prefix /opt/swf-runtime --component sdk   (and workflow, client)
# Headers go under include/swf-runtime/, so that the tree's top-level names
# (swf/, workflow/) never land in a shared include directory.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(swfrt_package_dir ${CMAKE_INSTALL_LIBDIR}/cmake/SwfRuntime)
set(swfrt_include_dir ${CMAKE_INSTALL_INCLUDEDIR}/swf-runtime)

# In the tree the headers are found where they are; installed, under the
# package's include directory. The tree's targets add the source directory
# unwrapped, which an exported target may not carry.
set(swfrt_exported swfrt_model swfrt_workflow swfrt_asio swfrt_http swfrt_auth swfrt_client)
foreach(t IN LISTS swfrt_exported)
  set_property(TARGET ${t} PROPERTY INTERFACE_INCLUDE_DIRECTORIES
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}> $<INSTALL_INTERFACE:${swfrt_include_dir}>)
  # Every header is C++20 (defaulted comparisons, coroutines).
  set_property(TARGET ${t} APPEND PROPERTY INTERFACE_COMPILE_FEATURES cxx_std_20)
endforeach()
set_property(TARGET swfrt_sdk APPEND PROPERTY INTERFACE_INCLUDE_DIRECTORIES
  $<INSTALL_INTERFACE:${swfrt_include_dir}>)
set_target_properties(swfrt_sdk PROPERTIES EXPORT_NAME sdk)
set_target_properties(swfrt_model PROPERTIES EXPORT_NAME model)
set_target_properties(swfrt_workflow PROPERTIES EXPORT_NAME workflow)
set_target_properties(swfrt_client PROPERTIES EXPORT_NAME client)
set_target_properties(swfrt_auth PROPERTIES EXPORT_NAME client_auth)
set_target_properties(swfrt_http PROPERTIES EXPORT_NAME client_http)
set_target_properties(swfrt_asio PROPERTIES EXPORT_NAME client_asio)
# A program using the client compiles Asio and Beast as the library did:
# their implementation is in libswfrt_asio.a.
target_compile_definitions(swfrt_asio INTERFACE BOOST_ASIO_SEPARATE_COMPILATION
                           BOOST_BEAST_SEPARATE_COMPILATION BOOST_ASIO_NO_DEPRECATED)
add_library(SwfRuntime::model ALIAS swfrt_model)
add_library(SwfRuntime::client ALIAS swfrt_client)

function(swfrt_install_headers component)
  foreach(pattern IN LISTS ARGN)
    file(GLOB headers RELATIVE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/${pattern})
    foreach(h IN LISTS headers)
      string(REGEX REPLACE "^include/" "" dest ${h})
      get_filename_component(dest_dir ${dest} DIRECTORY)
      install(FILES ${PROJECT_SOURCE_DIR}/${h} DESTINATION ${swfrt_include_dir}/${dest_dir} COMPONENT ${component})
    endforeach()
  endforeach()
endfunction()
swfrt_install_headers(sdk include/swfrt/sdk.hpp include/swfrt/json.hpp swf/model/*.hpp swf/error.hpp)
swfrt_install_headers(workflow include/swfrt/workflow.hpp workflow/*.hpp workflow/machines/*.hpp swf/codec/*.hpp)
swfrt_install_headers(client include/swfrt/client.hpp swf/clock.hpp swf/redact.hpp
                      swf/auth/*.hpp swf/http/*.hpp swf/client/*.hpp)

install(TARGETS swfrt_sdk swfrt_model EXPORT SwfRuntimeSdkTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT sdk)
install(TARGETS swfrt_workflow EXPORT SwfRuntimeWorkflowTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT workflow)
install(TARGETS swfrt_client swfrt_auth swfrt_http swfrt_asio EXPORT SwfRuntimeClientTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT client)
foreach(c Sdk Workflow Client)
  string(TOLOWER ${c} component)
  install(EXPORT SwfRuntime${c}Targets NAMESPACE SwfRuntime::
          DESTINATION ${swfrt_package_dir} COMPONENT ${component})
  # The package also works from the build tree: -DSwfRuntime_DIR=<build>.
  export(EXPORT SwfRuntime${c}Targets NAMESPACE SwfRuntime::
         FILE ${PROJECT_BINARY_DIR}/SwfRuntime${c}Targets.cmake)
endforeach()

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/SwfRuntimeConfig.cmake.in
  ${PROJECT_BINARY_DIR}/SwfRuntimeConfig.cmake
  INSTALL_DESTINATION ${swfrt_package_dir})
# Before 1.0 a minor release may change the SDK; the plugin ABI check
# refuses a mismatched plugin at load time in any case.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/SwfRuntimeConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
# The build tree's package finds swfrt_add_plugin beside its config file.
configure_file(${PROJECT_SOURCE_DIR}/cmake/SwfRuntimePlugin.cmake
               ${PROJECT_BINARY_DIR}/SwfRuntimePlugin.cmake COPYONLY)
install(FILES ${PROJECT_BINARY_DIR}/SwfRuntimeConfig.cmake
              ${PROJECT_BINARY_DIR}/SwfRuntimeConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/SwfRuntimePlugin.cmake
        DESTINATION ${swfrt_package_dir} COMPONENT sdk)

# The example plugin, for the quick start and the container image.
if(TARGET swfrt_example_plugin)
  install(TARGETS swfrt_example_plugin
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/swf-runtime/plugins COMPONENT examples)
endif()
