"""The learning-rate schedule: inverse-square-root warm-up and decay, then optionally a cool-down.

A plateaued inverse-square-root run gains from letting the learning rate fall to zero at its end
(training/README.md, "Cool-down"). The cool-down is a straight line from the schedule's value
where it starts to zero, over the run's last `cooldown` steps, or over its last
`cooldown_minutes` of wall time for runs that --max-minutes ends (a GPU run of a few minutes
does not know in advance how many steps it will get). Both may be given: the lower factor wins.
"""
import math
import time


def inverse_sqrt(step, warmup):
    step = max(step, 1)
    return min(step / warmup, math.sqrt(warmup / step))


def learning_rate_factor(step, warmup, total_steps, cooldown):
    """The factor for the `step`-th update (1-based): inverse_sqrt, and over the run's last
    `cooldown` updates a straight line from its value where the cool-down starts to zero (the value
    of update total_steps + 1, which never runs). Being a function of the step alone, a run can be
    cooled down from any checkpoint by resuming it with a later --steps and a --cooldown."""
    start = total_steps - cooldown
    if cooldown <= 0 or step <= start:
        return inverse_sqrt(step, warmup)
    return inverse_sqrt(start, warmup) * max(total_steps + 1 - step, 0) / (cooldown + 1)


class LearningRateSchedule:
    """The factor LambdaLR multiplies the peak learning rate by, given the number of updates done.

    The wall-clock cool-down counts from `start()` (called when the training loop begins, after the
    data and model are ready), in this process: a resumed run's clock starts again."""

    def __init__(self, warmup, total_steps, cooldown=0, max_minutes=0.0, cooldown_minutes=0.0,
                 clock=time.monotonic):
        if cooldown_minutes and not max_minutes:
            raise ValueError("a cool-down in minutes needs --max-minutes: it counts back from the run's end")
        if cooldown_minutes > max_minutes:
            raise ValueError(f"cool-down of {cooldown_minutes} minutes is longer than the run's {max_minutes}")
        self.warmup, self.total_steps, self.cooldown = warmup, total_steps, cooldown
        self.budget_s, self.cooldown_s = max_minutes * 60, cooldown_minutes * 60
        self.clock = clock
        self.started_at = None
        self.cooldown_from = None        # the step factor where the wall-clock cool-down began

    def start(self):
        self.started_at = self.clock()

    def __call__(self, updates_done):
        step = updates_done + 1
        factor = learning_rate_factor(step, self.warmup, self.total_steps, self.cooldown)
        if self.cooldown_s and self.started_at is not None:
            left = self.budget_s - (self.clock() - self.started_at)
            if left < self.cooldown_s:
                if self.cooldown_from is None:
                    self.cooldown_from = factor
                factor = min(factor, self.cooldown_from * max(left, 0.0) / self.cooldown_s)
        return factor
