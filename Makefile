# make run   — set up .venv and execute every notebook headless (auto profile) into build/executed/
# make lab   — set up .venv and open JupyterLab on notebooks/
# make test  — set up .venv and run the whole test suite (unit tests + nbval re-execution, profile ci)
# make test-backends — a second venv without TensorFlow: the package's tests on Keras's JAX and torch engines
# make test-colab — Colab's stack (Python 3.13, TF 2.20, Keras 3.13, ipywidgets 7.7): install as the setup cell does,
#                   fail if that changes any version, then re-execute the notebooks there under `ci`
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL ?= 3

.PHONY: setup run lab test unit lint sync notebook notebooks pretrained pretrained-realistic install-weights bench clean backends-setup test-backends test-colab

setup: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] >= (3, 11), "Python 3.11+ needed; set PYTHON=..."'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	# Colab's ipywidgets 7.7.1, on the side: tests/test_widgets.py re-runs the widget tests under it
	$(BIN)/python -m pip install --quiet --no-deps --target $(VENV)/ipywidgets7 ipywidgets==7.7.1 ipython_genutils==0.2.0
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (edsr)" >/dev/null
	touch $(STAMP)

# Each notebook's name when it starts and its time when it ends; during training, Keras's epoch lines.
run: setup
	$(BIN)/python tools/notebooks.py run --into build/executed
	@echo "Executed notebooks are in build/executed/"

lab: setup
	$(BIN)/jupyter lab notebooks

# pytest-xdist spreads the tests over WORKERS processes, a test file or a notebook each (loadscope: a notebook's
# cells run in order, in one kernel): on 2 cores 1.6 (make test) to 2.1 (make unit) times as fast as one
# process. WORKERS=0: one process.
WORKERS ?= 2
PARALLEL := -n $(WORKERS) --dist loadscope

test: setup
	EDSR_PROFILE=ci $(BIN)/python -m pytest $(PARALLEL) tests notebooks --nbval --nbval-current-env \
		--sanitize-with tests/nbval_sanitize.cfg --durations=10

# The engines other than TensorFlow, in their own venv that has no TensorFlow (proved by the first line).
BACKENDS_VENV := .venv-backends
BACKENDS_BIN := $(BACKENDS_VENV)/bin
# Selected by pytest markers (pyproject.toml lists them): what runs a Keras engine and needs no TensorFlow; the slow
# experiments run once, on TensorFlow, in `make test`.
BACKEND_MARKERS := not tensorflow and not engine_free and not factory and not browser and not slow

backends-setup: $(BACKENDS_VENV)/.installed

$(BACKENDS_VENV)/.installed: requirements-backends.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(BACKENDS_VENV)
	$(BACKENDS_BIN)/python -m pip install --quiet --upgrade pip
	$(BACKENDS_BIN)/python -m pip install --quiet -r requirements-backends.txt -c constraints.txt
	$(BACKENDS_BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

test-backends: backends-setup setup
	@! $(BACKENDS_BIN)/python -c "import tensorflow" 2>/dev/null || { echo "TensorFlow is installed in $(BACKENDS_VENV)"; exit 1; }
	KERAS_BACKEND=jax $(BACKENDS_BIN)/python -c "import edsr_helpers, sys; assert 'tensorflow' not in sys.modules; print('import edsr_helpers on JAX without TensorFlow: ok')"
	for engine in jax torch; do \
		echo "== KERAS_BACKEND=$$engine"; \
		EDSR_PROFILE=ci KERAS_BACKEND=$$engine $(BACKENDS_BIN)/python -m pytest -q $(PARALLEL) tests -m "$(BACKEND_MARKERS)" || exit 1; \
	done
	# the GPU script's device calls at toy sizes (weights_factory/gpu_session.sh), then the JAX-saved weights in TF
	rm -rf build/gpu-smoke
	SMOKE=1 OUT=build/gpu-smoke PATH=$(CURDIR)/$(BACKENDS_BIN):$$PATH bash weights_factory/gpu_session.sh session
	tar -xzOf build/gpu-smoke/x3-logs.tgz summary_x3.json | grep -q '"scale": 2' # x3 started from x2
	test -s build/gpu-smoke/session.log && test -s build/gpu-smoke/log_ci.csv
	SMOKE=1 OUT=build/gpu-smoke PATH=$(CURDIR)/$(BACKENDS_BIN):$$PATH bash weights_factory/gpu_session.sh bench
	SMOKE=1 OUT=build/gpu-smoke PATH=$(CURDIR)/$(BACKENDS_BIN):$$PATH bash weights_factory/gpu_session.sh realistic
	grep -q '^| g | e + cosine' build/gpu-smoke/realistic_steps.log # the recipe's row, after the change before it
	$(BIN)/python -c "import edsr_helpers as eh; m = eh.model.edsr_preset('baseline', 3); \
		m.load_weights('build/gpu-smoke/edsr_baseline_x3.weights.h5'); \
		print('x3 weights saved by Keras on JAX load in Keras on', eh.backend.name())"

# Colab's stack in its own venv. The package is installed the way the notebooks' setup cell installs it (pip,
# from git, this commit), and nothing Colab already has may change version.
COLAB_PYTHON ?= python3.13
COLAB_VENV := .venv-colab
COLAB_BIN := $(COLAB_VENV)/bin

test-colab:
	rm -rf $(COLAB_VENV)
	$(COLAB_PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_BIN)/python -m pip install --quiet --upgrade pip
	$(COLAB_BIN)/python -m pip install --quiet -r requirements-colab.txt
	$(COLAB_BIN)/python -m pip freeze > $(COLAB_VENV)/before.txt
	$(COLAB_BIN)/python -m pip install --quiet "edsr-helpers[notebooks] @ git+file://$(CURDIR)@$$(git rev-parse HEAD)"
	$(COLAB_BIN)/python -m pip freeze | grep -v '^edsr-helpers' > $(COLAB_VENV)/after.txt
	$(COLAB_BIN)/python tools/check_install_changed_nothing.py $(COLAB_VENV)/before.txt $(COLAB_VENV)/after.txt
	$(COLAB_BIN)/python -m pip install --quiet nbval==0.11.0 pytest==9.2.0 pytest-xdist==3.8.0 \
		-c $(COLAB_VENV)/after.txt
	cd $(COLAB_VENV) && EDSR_PROFILE=ci bin/python -m pytest -q $(PARALLEL) -p no:cacheprovider --nbval --nbval-current-env \
		--sanitize-with ../tests/nbval_sanitize.cfg ../notebooks

# The unit tests alone: no notebook, no browser, nothing slow (under 2 minutes on 2 cores).
UNIT_MARKERS := not browser and not slow
unit: setup
	EDSR_PROFILE=ci $(BIN)/python -m pytest $(PARALLEL) tests -m "$(UNIT_MARKERS)" --durations=5

lint: setup
	$(BIN)/ruff check edsr_helpers tests benchmarks tools weights_factory notebooks
	$(BIN)/ruff format --check edsr_helpers tests benchmarks tools weights_factory notebooks

# Notebooks are pairs: notebooks/NN_name.py (percent cells) and .ipynb (with the outputs of a real run).
# `make sync` after editing either side; `make notebook NB=03` re-executes one under the cpu profile (stored
# outputs show a run that learns; the tests re-run them under ci); `make notebooks` re-executes all (~10 min).
sync: setup
	$(BIN)/python tools/notebooks.py sync

notebook: setup
	@test -n "$(NB)" || { echo "usage: make notebook NB=03"; exit 2; }
	case "$(NB)" in *03*) rm -rf notebooks/runs/cpu;; esac  # 03 trains afresh; 04 uses what 03 saved
	EDSR_PROFILE=cpu $(BIN)/python tools/notebooks.py execute $(NB)

notebooks: setup
	rm -rf notebooks/runs/cpu
	EDSR_PROFILE=cpu $(BIN)/python tools/notebooks.py execute

# The weights factory (weights_factory/README.md): the v2 weights on this CPU, into build/weights-v2, x2 first and
# the other scales started from it (hours on 2 cores; minutes on a GPU: weights_factory/gpu_session.sh). Stopped,
# it goes on where it stopped when run again; a finished scale is skipped. Needs the photographs: apt's plasma-workspace-wallpapers lomiri-wallpapers-16.04 lomiri-wallpapers-20.04.
# Then `make install-weights` judges them against edsr_helpers/models/edsr/weights/bars.json and installs those that pass.
SCALES ?= 2 4 3
WEIGHTS_OUT ?= build/weights-v2
pretrained: setup
	for scale in $(SCALES); do $(BIN)/python weights_factory/train.py --recipe v2 --scale $$scale --skip-trained \
		--out-dir $(WEIGHTS_OUT) --run-dir $(WEIGHTS_OUT)/run-x$$scale || exit 1; done

# The realistic x4 (the shipped x4 fine-tuned on degraded photographs) into the same folder; resumable likewise.
pretrained-realistic: setup
	$(BIN)/python weights_factory/train.py --recipe realistic --skip-trained \
		--out-dir $(WEIGHTS_OUT) --run-dir $(WEIGHTS_OUT)/run-x4-realistic

install-weights: setup
	$(BIN)/python weights_factory/install.py $(WEIGHTS_OUT) --install

# Every benchmark, one after the other (~35 min on 2 cores); each prints its own side-by-side ratios.
bench: setup
	$(BIN)/python benchmarks/data_pipeline.py
	$(BIN)/python benchmarks/training_speed.py
	$(BIN)/python benchmarks/time_to_parity.py
	$(BIN)/python benchmarks/tiled_inference.py
	$(BIN)/python benchmarks/upscale_memory.py
	$(BIN)/python benchmarks/widget_latency.py
	$(BIN)/python benchmarks/recipe_speed.py
	$(BIN)/python benchmarks/warmup_effect.py
	$(BIN)/python benchmarks/busy_cpu.py

clean:
	rm -rf build .pytest_cache $(BACKENDS_VENV) $(COLAB_VENV)
