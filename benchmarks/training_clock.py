"""A callback that adds up the seconds spent training, leaving ``fit``'s own validation out, for benchmarks that
report seconds per step next to what the steps achieved."""

from __future__ import annotations

import time

import keras


class TrainingClock(keras.callbacks.Callback):
    """``seconds``: training time so far, summed over epochs; validation inside ``fit`` is not counted.

    Subclasses score the model in ``on_epoch_end`` after calling ``super().on_epoch_end``, so their own scoring
    is not counted either.
    """

    def __init__(self):
        super().__init__()
        self.seconds, self._start = 0.0, None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def _stop_clock(self):
        if self._start is not None:
            self.seconds += time.perf_counter() - self._start
            self._start = None

    def on_test_begin(self, logs=None):  # fit's own validation: not training time
        self._stop_clock()

    def on_epoch_end(self, epoch, logs=None):
        self._stop_clock()
