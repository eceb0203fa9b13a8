"""A throwaway PostgreSQL 15 server for the shell benchmarks (issue 17),
the tests' own (tests/integration/pgserver.py: initdb in a temporary
folder of /tmp, fsync and synchronous_commit on, loopback only).

    /usr/bin/python3 bench/lib/pg_server.py start ROOT DBNAME
        starts one and creates database DBNAME; prints "URI DIR"
    /usr/bin/python3 bench/lib/pg_server.py stop DIR
        stops the server of DIR (fast shutdown) and removes DIR
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "start":
        sys.path.insert(0, str(Path(sys.argv[2]) / "tests" / "integration"))
        import pgserver
        srv = pgserver.PgServer().start()
        print(srv.create_db(sys.argv[3]), srv.dir)
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "stop":
        d = Path(sys.argv[2])
        if not d.name.startswith("infrashare-pg-") or not d.is_dir():
            print(f"pg_server.py: {d} is not a server folder of ours",
                  file=sys.stderr)
            return 2
        if (d / "pgdata" / "postmaster.pid").exists():
            owner = (["runuser", "-u", "postgres", "--"]
                     if os.geteuid() == 0 else [])
            subprocess.run(owner + ["/usr/lib/postgresql/15/bin/pg_ctl", "-D",
                            str(d / "pgdata"), "-m", "fast", "-w", "stop"],
                           capture_output=True, timeout=120)
        shutil.rmtree(d, ignore_errors=True)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
