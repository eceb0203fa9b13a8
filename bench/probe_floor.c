/*
 * probe_floor.c - what one fresh-connection HTTP probe costs the prober's
 * process at the least, on this machine: the floor under infrashare-probe's
 * CPU per probe (bench/README.md, "Website response observation", the
 * floor). Not part of the build; bench/probe_floor.py compiles and runs it.
 *
 *   probe_floor ADDR PORT HOST N tcp|curl
 *
 * tcp:  N times socket, connect (blocking), one write of a GET, read to the
 *       end, close: the kernel's work for a new TCP connection and an HTTP
 *       exchange, and nothing else (no DNS, no parsing, no timing).
 * curl: N times curl_easy_perform on one easy handle with a fresh
 *       connection each time (CURLOPT_FRESH_CONNECT, CURLOPT_FORBID_REUSE),
 *       the address given (no DNS), the body discarded: libcurl's least
 *       cost per transfer.
 * Prints one JSON object: user and system CPU seconds of this process and
 * per 1,000 probes.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static size_t discard(char *p, size_t s, size_t n, void *u)
{
    (void)p;
    (void)u;
    return s * n;
}

static int tcp_probe(const struct sockaddr_in *sa, const char *req, size_t rl)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    int rc = -1;
    if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 &&
        write(fd, req, rl) == (ssize_t)rl) {
        char b[4096];
        ssize_t n;
        while ((n = read(fd, b, sizeof(b))) > 0)
            ;
        rc = n == 0 ? 0 : -1;
    }
    close(fd);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: probe_floor ADDR PORT HOST N tcp|curl\n");
        return 2;
    }
    const char *addr = argv[1], *host = argv[3], *mode = argv[5];
    char *end;
    long port = strtol(argv[2], &end, 10);
    if (*end || port < 1 || port > 65535)
        return 2;
    long n = strtol(argv[4], &end, 10);
    if (*end || n < 1)
        return 2;
    int failed = 0;
    struct rusage r0, r1;
    if (strcmp(mode, "tcp") == 0) {
        struct sockaddr_in sa = {.sin_family = AF_INET,
                                 .sin_port = htons((uint16_t)port)};
        if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
            return 2;
        char req[512];
        int rl = snprintf(req, sizeof(req),
                          "GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: floor\r\n"
                          "Connection: close\r\n\r\n",
                          host);
        getrusage(RUSAGE_SELF, &r0);
        for (long i = 0; i < n; i++)
            failed += tcp_probe(&sa, req, (size_t)rl) != 0;
        getrusage(RUSAGE_SELF, &r1);
    } else if (strcmp(mode, "curl") == 0) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        CURL *e = curl_easy_init();
        char url[256], hh[300];
        snprintf(url, sizeof(url), "http://%s:%ld/", addr, port);
        snprintf(hh, sizeof(hh), "Host: %s", host);
        struct curl_slist *hdr = curl_slist_append(NULL, hh);
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(e, CURLOPT_TIMEOUT, 10L);
        getrusage(RUSAGE_SELF, &r0);
        for (long i = 0; i < n; i++)
            failed += curl_easy_perform(e) != CURLE_OK;
        getrusage(RUSAGE_SELF, &r1);
        curl_slist_free_all(hdr);
        curl_easy_cleanup(e);
        curl_global_cleanup();
    } else {
        return 2;
    }
    double u = (double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) +
               (double)(r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) / 1e6;
    double s = (double)(r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) +
               (double)(r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e6;
    printf("{\"mode\": \"%s\", \"probes\": %ld, \"failed\": %d, "
           "\"cpu_user_s\": %.3f, \"cpu_sys_s\": %.3f, "
           "\"user_s_per_1000\": %.3f, \"sys_s_per_1000\": %.3f, "
           "\"cpu_s_per_1000_probes\": %.3f}\n",
           mode, n, failed, u, s, u / (double)n * 1000, s / (double)n * 1000,
           (u + s) / (double)n * 1000);
    return failed ? 1 : 0;
}
