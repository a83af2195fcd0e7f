/* Linked by scripts/check-macos-artifacts.sh against a macOS archive's libraries, static and
 * shared, with `zig cc -target <arch>-macos.<min>`: it proves the archive's headers and libraries
 * link into a program for that target. It is never run here (there is no Mac). */
#include <stdio.h>
#include <aeronc.h>
#include <aeron_archive.h>

int main(void)
{
    aeron_context_t *context = NULL;
    aeron_archive_context_t *archive_context = NULL;
    printf("Aeron %s\n", aeron_version_full());
    if (aeron_context_init(&context) < 0 || aeron_context_set_dir(context, "/tmp/aeron-link-check") < 0)
    {
        fprintf(stderr, "%s\n", aeron_errmsg());
        return 1;
    }
    if (aeron_archive_context_init(&archive_context) < 0 ||
        aeron_archive_context_set_aeron_directory_name(archive_context, "/tmp/aeron-link-check") < 0)
    {
        fprintf(stderr, "%s\n", aeron_errmsg());
        return 1;
    }
    aeron_archive_context_close(archive_context);
    aeron_context_close(context);
    return 0;
}
