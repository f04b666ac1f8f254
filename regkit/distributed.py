"""Several processes on one machine, joined as a torch.distributed group (chapter 1).

Sharded training (FSDP, ZeRO) splits a model's parameters, and so its gradient, across
processes. To show in a notebook what that does to gradient clipping, :func:`launch` does
what ``torchrun --nproc-per-node=N script.py`` does, for a function instead of a script:
it starts N processes, joins them in a ``gloo`` group (CPU only: no GPU, no network beyond
this machine), runs ``fn(rank, world_size, *args)`` in each and returns what each returned.

>>> import torch.distributed as dist
>>> def total(rank, world_size):
...     x = torch.tensor(float(rank + 1))
...     dist.all_reduce(x)                       # every process gets 1 + 2
...     return x.item()
>>> launch(total, world_size=2)
[3.0, 3.0]
"""

import multiprocessing
import os
import pickle
import queue
import sys
import tempfile
import traceback
import warnings

import torch

from ._checks import check_int

__all__ = ["launch"]


def launch(fn, world_size=2, args=(), timeout=120.0):
    """Run ``fn(rank, world_size, *args)`` on ``world_size`` processes; return their results.

    Each process joins the default ``torch.distributed`` process group (backend ``gloo``,
    rendezvous through a temporary file), runs ``fn`` with one CPU thread, and leaves the
    group. The results come back in rank order (they must be picklable: numbers, arrays,
    tensors). An exception in any process is raised here as ``RuntimeError`` with that
    process's traceback. The processes are forked where the system can fork (Linux,
    macOS): then ``fn`` may be defined in the notebook. Elsewhere (Windows) they are
    spawned, and ``fn`` must be importable from a module. Their own output is discarded
    (gloo logs its connections on stderr).
    """
    world_size = check_int("world_size", world_size, 1)
    if not callable(fn):
        raise TypeError(f"fn must be a callable fn(rank, world_size, *args), got {type(fn).__name__}")
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    results = context.Queue()
    with tempfile.TemporaryDirectory() as folder:
        rendezvous = os.path.join(folder, "rendezvous")
        processes = [context.Process(target=_run_one, daemon=True,
                                     args=(fn, rank, world_size, rendezvous, tuple(args), results))
                     for rank in range(world_size)]
        with warnings.catch_warnings():
            # Python 3.12+ warns about forking a process that has threads (a Jupyter kernel
            # does); the children only run fn and exit without touching those threads.
            warnings.simplefilter("ignore", DeprecationWarning)
            for process in processes:
                process.start()
        by_rank = {}
        try:  # read before joining: a child blocks until its result is read
            for _ in processes:
                rank, outcome = pickle.loads(results.get(timeout=timeout))
                by_rank[rank] = outcome
        except queue.Empty:
            pass
        for process in processes:
            process.join(timeout=1.0)
            if process.is_alive():
                process.kill()
    failures = [f"rank {rank}:\n{outcome[1]}" for rank, outcome in sorted(by_rank.items())
                if not outcome[0]]
    if failures or len(by_rank) != world_size:
        missing = sorted(set(range(world_size)) - set(by_rank))
        raise RuntimeError("launch: fn failed\n" + "\n".join(
            failures + [f"rank {rank}: no result within {timeout} s" for rank in missing]))
    return [by_rank[rank][1] for rank in range(world_size)]


def _run_one(fn, rank, world_size, rendezvous, args, results):
    import torch.distributed as dist

    quiet = open(os.devnull, "w")
    os.dup2(quiet.fileno(), 1)
    os.dup2(quiet.fileno(), 2)
    sys.stdout = sys.stderr = quiet
    try:
        torch.set_num_threads(1)
        dist.init_process_group("gloo", init_method=f"file://{rendezvous}", rank=rank,
                                world_size=world_size)
        try:
            outcome = (True, fn(rank, world_size, *args))
        finally:
            dist.destroy_process_group()
    except BaseException:
        outcome = (False, traceback.format_exc())
    # plain pickle copies tensors into the message (torch's own reducers would share memory
    # with a process that is about to exit)
    results.put(pickle.dumps((rank, outcome)))
