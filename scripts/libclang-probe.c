/* Capability probe for bindgen's libclang, used by scripts/setup.sh.
 * Usage: libclang-probe /path/to/libclang.so
 * Exit 0: the library loads, exports libclang's C API, and parses a file that includes clang's
 *         builtin headers (stdbool.h, stddef.h: they live in the resource dir, not in libc6-dev).
 * Exit 2: cannot be loaded. Exit 3: not the C API (e.g. libclang-cpp). Exit 4: headers missing. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

struct unsaved { const char *name; const char *contents; unsigned long length; };
typedef struct { const void *data; unsigned flags; } cxstring;

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s libclang.so\n", argv[0]); return 1; }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) { printf("cannot load: %s\n", dlerror()); return 2; }
    void *(*create_index)(int, int) = (void *(*)(int, int))dlsym(lib, "clang_createIndex");
    void *(*parse)(void *, const char *, const char *const *, int, struct unsaved *, unsigned, unsigned) =
        (void *(*)(void *, const char *, const char *const *, int, struct unsaved *, unsigned, unsigned))
            dlsym(lib, "clang_parseTranslationUnit");
    unsigned (*num_diags)(void *) = (unsigned (*)(void *))dlsym(lib, "clang_getNumDiagnostics");
    void *(*get_diag)(void *, unsigned) = (void *(*)(void *, unsigned))dlsym(lib, "clang_getDiagnostic");
    int (*severity)(void *) = (int (*)(void *))dlsym(lib, "clang_getDiagnosticSeverity");
    cxstring (*spelling)(void *) = (cxstring (*)(void *))dlsym(lib, "clang_getDiagnosticSpelling");
    const char *(*cstring)(cxstring) = (const char *(*)(cxstring))dlsym(lib, "clang_getCString");
    if (!create_index || !parse || !num_diags || !get_diag || !severity || !spelling || !cstring) {
        printf("does not export libclang's C API (clang_createIndex ...)\n");
        return 3;
    }
    const char *text = "#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\nbool probe_ok;\n";
    struct unsaved file = { "rusteron_probe.c", text, (unsigned long)strlen(text) };
    void *index = create_index(0, 0);
    void *unit = parse(index, "rusteron_probe.c", NULL, 0, &file, 1, 0);
    if (!unit) { printf("cannot parse a C file\n"); return 4; }
    int failed = 0;
    for (unsigned i = 0; i < num_diags(unit); i++) {
        void *d = get_diag(unit, i);
        if (severity(d) >= 3) { printf("%s\n", cstring(spelling(d))); failed = 1; }
    }
    return failed ? 4 : 0;
}
