// The floor of a handoff primary's work per connection, in C: epoll + accept4 (draining the queue)
// + recv(MSG_PEEK) + sendmsg(SCM_RIGHTS) to one of two workers + close. TCP_DEFER_ACCEPT as in Defuss.
// The workers receive each socket, read the request, answer a tiny HTTP response and close.
// bench/load/compare.sh builds it (gcc) and measures it beside Defuss; usage: handoff-floor PORT
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

static int send_fd(int chan, int fd) {
    char buf[1] = {0}; struct iovec iov = { buf, 1 };
    char cbuf[CMSG_SPACE(sizeof(int))]; memset(cbuf, 0, sizeof cbuf);
    struct msghdr m = {0}; m.msg_iov = &iov; m.msg_iovlen = 1; m.msg_control = cbuf; m.msg_controllen = sizeof cbuf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m); c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS; c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    return sendmsg(chan, &m, MSG_NOSIGNAL);
}
static int recv_fd(int chan) {
    char buf[1]; struct iovec iov = { buf, 1 };
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct msghdr m = {0}; m.msg_iov = &iov; m.msg_iovlen = 1; m.msg_control = cbuf; m.msg_controllen = sizeof cbuf;
    if (recvmsg(chan, &m, MSG_CMSG_CLOEXEC) <= 0) return -1;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m); int fd; memcpy(&fd, CMSG_DATA(c), sizeof(int)); return fd;
}
static void worker(int chan) {
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
    char req[4096];
    for (;;) {
        int fd = recv_fd(chan); if (fd < 0) _exit(0);
        int fl = 0; ioctl(fd, FIONBIO, &fl); // back to blocking
        recv(fd, req, sizeof req, 0);
        send(fd, resp, sizeof resp - 1, MSG_NOSIGNAL);
        close(fd);
    }
}
int main(int argc, char **argv) {
    int port = atoi(argv[1]);
    int chans[2];
    for (int i = 0; i < 2; i++) {
        int sv[2]; socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
        if (fork() == 0) { close(sv[0]); worker(sv[1]); }
        close(sv[1]); chans[i] = sv[0];
    }
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1; setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int defer = 1; setsockopt(ls, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof defer);
    struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_port = htons(port); a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (void*)&a, sizeof a) || listen(ls, 4096)) { perror("bind"); return 1; }
    int ep = epoll_create1(EPOLL_CLOEXEC); struct epoll_event ev = { .events = EPOLLIN, .data.fd = ls }; epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    fprintf(stderr, "floor primary %d on %d\n", getpid(), port);
    unsigned long n = 0; char peek[2048]; struct epoll_event evs[16];
    for (;;) {
        int k = epoll_wait(ep, evs, 16, -1);
        for (int e = 0; e < k; e++) {
            for (;;) {
                int fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0) break;
                recv(fd, peek, sizeof peek, MSG_PEEK); // head is there thanks to TCP_DEFER_ACCEPT
                send_fd(chans[n++ & 1], fd);
                close(fd);
            }
        }
    }
}
