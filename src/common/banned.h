/*
 * banned.h - functions infrashare must not call.
 *
 * Included last by common.h, after every system header, so that a call to one
 * of these names fails to compile ("sorry_strcpy_is_banned" undeclared).
 * Use instead: snprintf / buf_* (strcpy, strcat, sprintf), strtol family with
 * full checks (atoi, atol), strtok_r or manual scanning (strtok), gmtime_r /
 * localtime_r (gmtime, localtime).
 */
#ifndef INFRASHARE_BANNED_H
#define INFRASHARE_BANNED_H

#define BANNED(func) sorry_##func##_is_banned

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef gets
#define gets(x) BANNED(gets)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef atoll
#define atoll(x) BANNED(atoll)
#undef gmtime
#define gmtime(x) BANNED(gmtime)
#undef localtime
#define localtime(x) BANNED(localtime)
#undef ctime
#define ctime(x) BANNED(ctime)
#undef asctime
#define asctime(x) BANNED(asctime)

#endif
