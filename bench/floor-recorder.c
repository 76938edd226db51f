/*
 * The floor for recording through JACK: a minimal JACK client that records
 * the server's loopback capture ports into a float WAV file with
 * libsndfile, as cheaply as a C program can. bench/compare-jack-recording.sh
 * measures pastream against it.
 *
 *   floor-recorder CHANNELS SECONDS FILE
 *
 * The audio callback copies each period, interleaved, into a lock-free
 * ring buffer; the main thread wakes every 50 ms and writes what has
 * arrived. The server is the one JACK_DEFAULT_SERVER names.
 */
#include <jack/jack.h>
#include <jack/ringbuffer.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CHANNELS 128

static jack_port_t *ports[MAX_CHANNELS];
static jack_ringbuffer_t *ring;
static int channels;
static float *interleaved;
static jack_nframes_t max_frames;
static volatile int overflow;

static int process(jack_nframes_t frames, void *arg)
{
    (void)arg;
    if (frames > max_frames) {
        overflow = 1;
        return 0;
    }
    for (int c = 0; c < channels; c++) {
        const float *in = jack_port_get_buffer(ports[c], frames);
        for (jack_nframes_t i = 0; i < frames; i++)
            interleaved[i * channels + c] = in[i];
    }
    size_t bytes = (size_t)frames * channels * sizeof(float);
    if (jack_ringbuffer_write_space(ring) < bytes)
        overflow = 1;
    else
        jack_ringbuffer_write(ring, (const char *)interleaved, bytes);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: floor-recorder CHANNELS SECONDS FILE\n");
        return 2;
    }
    channels = atoi(argv[1]);
    double seconds = atof(argv[2]);
    if (channels < 1 || channels > MAX_CHANNELS || seconds <= 0) {
        fprintf(stderr, "floor-recorder: bad channels or seconds\n");
        return 2;
    }
    jack_status_t status;
    jack_client_t *client = jack_client_open("floor-recorder", JackNoStartServer, &status);
    if (!client) {
        fprintf(stderr, "floor-recorder: no JACK server\n");
        return 1;
    }
    jack_nframes_t rate = jack_get_sample_rate(client);
    max_frames = 8192;
    interleaved = calloc((size_t)max_frames * channels, sizeof(float));
    ring = jack_ringbuffer_create((size_t)rate * channels * sizeof(float) * 2);
    char name[32];
    for (int c = 0; c < channels; c++) {
        snprintf(name, sizeof name, "in_%d", c + 1);
        ports[c] = jack_port_register(client, name, JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    }
    SF_INFO info = {.samplerate = (int)rate, .channels = channels,
                    .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    SNDFILE *file = sf_open(argv[3], SFM_WRITE, &info);
    if (!file) {
        fprintf(stderr, "floor-recorder: %s\n", sf_strerror(NULL));
        return 1;
    }
    jack_set_process_callback(client, process, NULL);
    if (jack_activate(client)) {
        fprintf(stderr, "floor-recorder: cannot activate\n");
        return 1;
    }
    for (int c = 0; c < channels; c++) {
        char src[64];
        snprintf(src, sizeof src, "loopback:capture_%d", c + 1);
        jack_connect(client, src, jack_port_name(ports[c]));
    }
    sf_count_t total = (sf_count_t)(seconds * rate), done = 0;
    size_t frame = (size_t)channels * sizeof(float);
    float *chunk = malloc((size_t)rate * frame);
    while (done < total) {
        usleep(50000);
        size_t avail = jack_ringbuffer_read_space(ring) / frame;
        while (avail > 0 && done < total) {
            size_t n = avail < rate ? avail : rate;
            if ((sf_count_t)n > total - done)
                n = (size_t)(total - done);
            jack_ringbuffer_read(ring, (char *)chunk, n * frame);
            sf_writef_float(file, chunk, (sf_count_t)n);
            done += (sf_count_t)n;
            avail -= n;
        }
    }
    jack_deactivate(client);
    jack_client_close(client);
    sf_close(file);
    if (overflow) {
        fprintf(stderr, "floor-recorder: the ring overflowed\n");
        return 1;
    }
    return 0;
}
