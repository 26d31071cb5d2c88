"""``python -m eval.outside``: score the outside set (see :mod:`eval.outside.run`)."""

from eval.outside.run import main

main()
