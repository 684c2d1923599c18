// A shared library that is not a plugin: it exports a function, but not
// swfrt_plugin_entry.
extern "C" __attribute__((visibility("default"))) int swfrt_test_not_an_entry(int x) {
    return x + 1;
}
